package faults

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// mountTmpfs mounts a tmpfs of sizeMB megabytes at a new directory and
// returns it; t.Cleanup unmounts it (and whatever was mounted over it),
// whatever happens. It skips t when not root or when the mount fails.
// Start processes that use the mount after this call, so that their
// cleanups (kills) run before the unmount.
func mountTmpfs(t *testing.T, sizeMB int) string {
	t.Helper()
	if os.Geteuid() != 0 {
		skip(t, "needs root to mount a tmpfs: run the suite as root (CI does)")
	}
	dir := filepath.Join(t.TempDir(), "mnt")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := mount("-t", "tmpfs", "-o", fmt.Sprintf("size=%dm", sizeMB), "tmpfs", dir); err != nil {
		skip(t, "cannot mount a tmpfs here, skipping: %v", err)
	}
	t.Cleanup(func() { unmountAll(t, dir) })
	return dir
}

// mount runs mount(8) with args.
func mount(args ...string) error {
	out, err := exec.Command("mount", args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("mount %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}

// unmountAll unmounts everything mounted at dir, lazily when a mount is
// still busy.
func unmountAll(t *testing.T, dir string) {
	t.Helper()
	for range 8 {
		if !isMountpoint(dir) {
			return
		}
		if err := syscall.Unmount(dir, 0); err != nil {
			if err := syscall.Unmount(dir, syscall.MNT_DETACH); err != nil {
				t.Errorf("unmount %s: %v", dir, err)
				return
			}
		}
	}
	if isMountpoint(dir) {
		t.Errorf("%s is still a mount point", dir)
	}
}

// isMountpoint reports whether something is mounted at dir.
func isMountpoint(dir string) bool {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// id parent major:minor root mountpoint ...; spaces are \040.
		fields := strings.Fields(sc.Text())
		if len(fields) > 4 && strings.ReplaceAll(fields[4], `\040`, " ") == dir {
			return true
		}
	}
	return false
}

// makeReadOnly makes the file system at dir read-only under a running
// server and returns how to undo it. It first tries what an operator
// would, mount -o remount,ro; Linux refuses that (EBUSY) while a process
// holds a file of the mount open for writing, as a serving wensou does
// (root.bolt, the lock files). Then it mounts dir over itself and remounts
// that bind mount read-only: the server's open files stay writable, but
// every file it opens or creates by name from then on (every new index
// segment) fails with EROFS, as on a read-only disk.
func makeReadOnly(t *testing.T, dir string) (how string, undo func() error) {
	t.Helper()
	err := mount("-o", "remount,ro", dir)
	if err == nil {
		return "mount -o remount,ro", func() error { return mount("-o", "remount,rw", dir) }
	}
	t.Logf("%v; using a read-only bind mount over it instead", err)
	if err := mount("--bind", dir, dir); err != nil {
		t.Fatal(err)
	}
	// The server may open a new file through the bind mount before it
	// turns read-only (a segment persisted or merged): that remount is
	// refused as busy too, until the file is closed. Try again a moment
	// later.
	err = nil
	poll(10*time.Second, func() bool {
		err = mount("-o", "remount,bind,ro", dir)
		return err == nil
	})
	if err != nil {
		t.Fatal(err)
	}
	probe := filepath.Join(dir, "probe")
	if err := os.WriteFile(probe, nil, 0o644); !errors.Is(err, syscall.EROFS) {
		t.Fatalf("write %s on the read-only mount: got %v, want %v", probe, err, syscall.EROFS)
	}
	return "read-only bind mount (remount,ro: busy)", func() error { return mount("-o", "remount,bind,rw", dir) }
}
