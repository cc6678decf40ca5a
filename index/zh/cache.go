package zh

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"unsafe"
)

// A lexicon is built from gse's dictionary text once per dictionary (the
// fingerprint), then kept in a file of the cache directory and read back
// on later starts: a single read and a checksum, about 20 ms instead of
// gse's 1.3 s. The file is derived data: a missing, stale or damaged one
// is rebuilt, so the directory can be wiped at any time.

// gseVersion is the gse module the lexicon reproduces; a file from
// another is not used (TestGseVersion checks it against the build).
const gseVersion = "v0.80.3"

// lexFormat is the version of the file layout.
const lexFormat = 1

var lexMagic = [8]byte{'w', 's', 'l', 'e', 'x', 0, '\r', '\n'}

// lexHeader describes a lexicon file. Sections follow it in this order,
// each starting at a multiple of 8 bytes: base, check (int32), dist
// (float32), subOff (uint32), subs (3 int32 each), all little-endian.
type lexHeader struct {
	Format      int    `json:"format"`
	Gse         string `json:"gse"`
	Fingerprint string `json:"fingerprint"`
	Nodes       int    `json:"nodes"`
	Words       int    `json:"words"`
	Subs        int    `json:"subs"`
	MaxAtoms    int32  `json:"max_atoms"`
	// CRC is the Castagnoli CRC-32 of everything after the header.
	CRC uint32 `json:"crc"`
}

// CacheDirEnv names the environment variable that sets the directory of
// built dictionaries; "off" turns the cache off. By default it is
// wensou/ in the user's cache directory (os.UserCacheDir).
const CacheDirEnv = "WENSOU_CACHE_DIR"

// cacheDir returns the cache directory, or "" when there is none.
func cacheDir() string {
	switch d := os.Getenv(CacheDirEnv); d {
	case "off":
		return ""
	case "":
		base, err := os.UserCacheDir()
		if err != nil {
			return ""
		}
		return filepath.Join(base, "wensou")
	default:
		return d
	}
}

func lexPath(dir, fingerprint string) string {
	return filepath.Join(dir, fmt.Sprintf("zh-%s-gse%s-f%d.lex", fingerprint, gseVersion, lexFormat))
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// littleEndian reports whether this machine stores integers as the
// file does.
func littleEndian() bool {
	x := uint16(1)
	return *(*byte)(unsafe.Pointer(&x)) == 1
}

// asBytes views a slice of fixed-size values as its bytes.
func asBytes[T int32 | uint32 | float32 | sub](s []T) []byte {
	if len(s) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&s[0])), len(s)*int(unsafe.Sizeof(s[0])))
}

// fromBytes views b as a slice of n values; b is 8-byte aligned.
func fromBytes[T int32 | uint32 | float32 | sub](b []byte, n int) []T {
	if n == 0 {
		return nil
	}
	return unsafe.Slice((*T)(unsafe.Pointer(&b[0])), n)
}

func pad8(n int) int { return (n + 7) &^ 7 }

// writeLexicon writes l for fingerprint to path, atomically: readers see
// the old file or the whole new one.
func writeLexicon(path, fingerprint string, l *lexicon) error {
	if !littleEndian() {
		return errors.New("lexicon files are little-endian only")
	}
	var body bytes.Buffer
	for _, sec := range [][]byte{asBytes(l.trie.base), asBytes(l.trie.check), asBytes(l.dist), asBytes(l.subOff), asBytes(l.subs)} {
		body.Write(sec)
		body.Write(make([]byte, pad8(len(sec))-len(sec)))
	}
	h := lexHeader{Format: lexFormat, Gse: gseVersion, Fingerprint: fingerprint, Nodes: len(l.trie.base),
		Words: len(l.dist), Subs: len(l.subs), MaxAtoms: l.maxAtoms, CRC: crc32.Checksum(body.Bytes(), castagnoli)}
	hj, err := json.Marshal(h)
	if err != nil {
		return err
	}
	var out bytes.Buffer
	out.Write(lexMagic[:])
	out.Write(binary.LittleEndian.AppendUint32(nil, uint32(len(hj))))
	out.Write(hj)
	out.Write(make([]byte, pad8(out.Len())-out.Len()))
	out.Write(body.Bytes())

	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".lex-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after a successful rename, a no-op
	if _, err := tmp.Write(out.Bytes()); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// readLexicon reads the lexicon of fingerprint from path. Any damage or
// mismatch is an error: the caller builds the lexicon instead.
func readLexicon(path, fingerprint string) (*lexicon, error) {
	if !littleEndian() {
		return nil, errors.New("lexicon files are little-endian only")
	}
	raw, err := readAligned(path)
	if err != nil {
		return nil, err
	}
	if len(raw) < 12 || !bytes.Equal(raw[:8], lexMagic[:]) {
		return nil, fmt.Errorf("%s: not a lexicon file", path)
	}
	hl := int(binary.LittleEndian.Uint32(raw[8:12]))
	if 12+hl > len(raw) {
		return nil, fmt.Errorf("%s: truncated header", path)
	}
	var h lexHeader
	if err := json.Unmarshal(raw[12:12+hl], &h); err != nil {
		return nil, fmt.Errorf("%s: header: %w", path, err)
	}
	if h.Format != lexFormat || h.Gse != gseVersion || h.Fingerprint != fingerprint {
		return nil, fmt.Errorf("%s: built for format %d, gse %s, dictionary %s", path, h.Format, h.Gse, h.Fingerprint)
	}
	body := raw[pad8(12+hl):]
	if crc32.Checksum(body, castagnoli) != h.CRC {
		return nil, fmt.Errorf("%s: checksum mismatch", path)
	}
	sizes := []int{4 * h.Nodes, 4 * h.Nodes, 4 * h.Words, 4 * (h.Words + 1), int(unsafe.Sizeof(sub{})) * h.Subs}
	secs := make([][]byte, len(sizes))
	off := 0
	for i, n := range sizes {
		if n < 0 || off+n > len(body) {
			return nil, fmt.Errorf("%s: truncated", path)
		}
		secs[i] = body[off : off+n]
		off += pad8(n)
	}
	l := &lexicon{
		trie:     trie{base: fromBytes[int32](secs[0], h.Nodes), check: fromBytes[int32](secs[1], h.Nodes)},
		dist:     fromBytes[float32](secs[2], h.Words),
		subOff:   fromBytes[uint32](secs[3], h.Words+1),
		subs:     fromBytes[sub](secs[4], h.Subs),
		maxAtoms: h.MaxAtoms,
	}
	if err := l.check(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return l, nil
}

// check verifies the arrays that searches index without a bounds test
// of their own, so that a file that passed its checksum but was built
// wrongly cannot make a search read out of bounds. The trie's steps
// test their bounds ([trie.step], [lexicon.word]).
func (l *lexicon) check() error {
	if len(l.trie.check) == 0 || len(l.trie.base) != len(l.trie.check) {
		return errors.New("empty trie")
	}
	words := int32(len(l.dist))
	if len(l.subOff) != int(words)+1 || l.subOff[0] != 0 || int(l.subOff[words]) != len(l.subs) {
		return errors.New("bad sub-word offsets")
	}
	for w := range words {
		if l.subOff[w] > l.subOff[w+1] {
			return fmt.Errorf("word %d: bad sub-word offsets", w)
		}
	}
	for i, s := range l.subs {
		if s.word < noWord || s.word >= words || s.start < 0 || s.end < s.start {
			return fmt.Errorf("sub-word %d: bad entry", i)
		}
	}
	if l.maxAtoms < 1 {
		return errors.New("bad longest word")
	}
	return nil
}

// readAligned reads the file at path into an 8-byte aligned buffer.
func readAligned(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	n := int(st.Size())
	words := make([]uint64, (n+7)/8)
	buf := unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(words))), len(words)*8)[:n]
	if _, err := f.ReadAt(buf, 0); err != nil {
		return nil, err
	}
	return buf, nil
}
