package replica

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/wensou/wensou/index"
)

// TestSnapshot_RoundTrip: a copy of a live index sent as a snapshot
// stream opens on the other side with its documents and sequence; a
// stream cut anywhere is refused.
func TestSnapshot_RoundTrip(t *testing.T) {
	ix, err := index.Open(t.Context(), index.Options{Path: filepath.Join(t.TempDir(), "ix"), Create: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	for seq := uint64(1); seq <= 30; seq++ {
		if err := ix.ApplyLog(t.Context(), seq, []index.LogOp{{Article: testArticle(int(seq))}}); err != nil {
			t.Fatal(err)
		}
	}
	cp := filepath.Join(t.TempDir(), "copy")
	if err := ix.CopyTo(t.Context(), cp); err != nil {
		t.Fatal(err)
	}
	var stream bytes.Buffer
	if err := WriteSnapshot(&stream, cp); err != nil {
		t.Fatal(err)
	}

	dst := filepath.Join(t.TempDir(), "dst")
	n, err := ReadSnapshot(bytes.NewReader(stream.Bytes()), dst)
	if err != nil || n == 0 {
		t.Fatalf("read snapshot: %d bytes, %v", n, err)
	}
	got, err := index.Open(t.Context(), index.Options{Path: dst})
	if err != nil {
		t.Fatalf("open the received index: %v", err)
	}
	defer got.Close()
	if seq, err := got.Applied(); err != nil || seq != 30 {
		t.Errorf("received index applied %d (%v), want 30", seq, err)
	}
	if c, _ := got.Count(); c != 30 {
		t.Errorf("received index holds %d articles, want 30", c)
	}

	// Cut short anywhere before its end marker, even at a file boundary,
	// it is refused.
	raw := stream.Bytes()
	for _, cut := range []int{0, 100, 512, len(raw) / 2, len(raw) - 1024 - 512, len(raw) - 1024 - 512 - 100} {
		_, err := ReadSnapshot(bytes.NewReader(raw[:cut]), filepath.Join(t.TempDir(), "cut"))
		if !errors.Is(err, ErrBadSnapshot) {
			t.Errorf("stream cut at %d of %d: %v, want ErrBadSnapshot", cut, len(raw), err)
		}
	}
}

func TestSnapshot_Refused(t *testing.T) {
	stream := func(hs ...*tar.Header) []byte {
		var b bytes.Buffer
		tw := tar.NewWriter(&b)
		for _, h := range hs {
			if err := tw.WriteHeader(h); err != nil {
				t.Fatal(err)
			}
			if h.Size > 0 {
				tw.Write(bytes.Repeat([]byte("x"), int(h.Size)))
			}
		}
		tw.Close()
		return b.Bytes()
	}
	end := func(n int) *tar.Header {
		return &tar.Header{Typeflag: tar.TypeReg, Name: snapshotEnd, Size: int64(len(fmt.Sprint(n)))}
	}
	tests := []struct {
		name string
		raw  []byte
	}{
		{"a path outside", stream(&tar.Header{Typeflag: tar.TypeReg, Name: "../evil", Size: 1}, end(1))},
		{"an absolute path", stream(&tar.Header{Typeflag: tar.TypeReg, Name: "/etc/evil", Size: 1}, end(1))},
		{"a symlink", stream(&tar.Header{Typeflag: tar.TypeSymlink, Name: "link", Linkname: "/etc/passwd"}, end(0))},
		{"no end marker", stream(&tar.Header{Typeflag: tar.TypeReg, Name: "a", Size: 1})},
		{"a wrong count", stream(&tar.Header{Typeflag: tar.TypeReg, Name: "a", Size: 1}, end(3))},
		{"not tar", []byte("<html>502 Bad Gateway</html>")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadSnapshot(bytes.NewReader(tt.raw), filepath.Join(t.TempDir(), "dst"))
			if !errors.Is(err, ErrBadSnapshot) {
				t.Errorf("%v, want ErrBadSnapshot", err)
			}
		})
	}
}

func TestSnapshotSource(t *testing.T) {
	tests := []struct {
		name    string
		members []Member
		want    string // "" for none
	}{
		{"none", nil, ""},
		{"only itself", []Member{{Node: "n4", URL: "u", Applied: 9}}, ""},
		{"furthest in the log", []Member{{Node: "n1", URL: "u1", Applied: 5}, {Node: "n2", URL: "u2", Applied: 9}, {Node: "n3", URL: "u3", Applied: 7}}, "n2"},
		{"not one catching up", []Member{{Node: "n1", URL: "u1", Applied: 5}, {Node: "n2", URL: "u2", Applied: 9, CatchingUp: true}}, "n1"},
		{"not an empty one", []Member{{Node: "n1", URL: "u1"}}, ""},
		{"not one without an address", []Member{{Node: "n1", Applied: 3}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, ok := SnapshotSource(tt.members, "n4")
			if got := map[bool]string{true: m.Node}[ok]; got != tt.want {
				t.Errorf("source %q, want %q", got, tt.want)
			}
		})
	}
}

// TestShardOf: the routing of ids to shards never changes (every node,
// and every version, must route alike): FNV-1a of the id modulo n.
func TestShardOf(t *testing.T) {
	tests := []struct {
		id    string
		three int
		seven int
	}{
		{"a000", 2, 6},
		{"zh-vocational-law", 2, 4},
		{"retried", 1, 5},
		{"职业教育", 0, 0},
		{"", 1, 2},
	}
	for _, tt := range tests {
		if got := ShardOf(tt.id, 3); got != tt.three {
			t.Errorf("ShardOf(%q, 3) = %d, want %d", tt.id, got, tt.three)
		}
		if got := ShardOf(tt.id, 7); got != tt.seven {
			t.Errorf("ShardOf(%q, 7) = %d, want %d", tt.id, got, tt.seven)
		}
		if got := ShardOf(tt.id, 1); got != 0 {
			t.Errorf("ShardOf(%q, 1) = %d", tt.id, got)
		}
	}
}
