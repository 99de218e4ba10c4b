package versions

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"planbot/data"
)

func describe(title string, items int, source string, at time.Time) Version {
	return Version{Title: title, Items: items, Updated: "2023-10-17", Source: source, LoadedAt: at}
}

func TestStore(t *testing.T) {
	s, err := Open(t.TempDir() + "/v")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Current(); !errors.Is(err, ErrNotFound) {
		t.Fatalf("empty store: %v", err)
	}
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	v1, err := s.Add(data.DefaultText(), describe("seed", 50, "embedded", now))
	if err != nil {
		t.Fatal(err)
	}
	if v1.ID != "0001-"+Hash(data.DefaultText())[:8] || v1.Items != 50 || v1.Updated != "2023-10-17" || !v1.LoadedAt.Equal(now) ||
		v1.Bytes != int64(len(data.DefaultText())) {
		t.Errorf("v1 = %+v", v1)
	}
	text2 := []byte("T2\n1 方針\n(1)施策\n取組\n実施内容 担当課\nA。 甲課\n")
	v2, err := s.Add(text2, Version{Title: "T2", Items: 1, Source: "upload", ContentType: "text/plain", LoadedAt: now.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	cur, text, err := s.Current()
	if err != nil || cur.ID != v2.ID || string(text) != string(text2) || cur.ContentType != "text/plain" {
		t.Fatalf("current = %+v, %v", cur, err)
	}
	if err := s.SetCurrent(v1.ID); err != nil {
		t.Fatal(err)
	}
	// A fresh Store on the same directory (a restart) sees the rollback.
	s2, _ := Open(s.Dir())
	if cur, _, _ := s2.Current(); cur.ID != v1.ID {
		t.Errorf("after restart current = %s, want %s", cur.ID, v1.ID)
	}
	all, err := s2.List()
	if err != nil || len(all) != 2 || all[0].ID != v1.ID {
		t.Errorf("list = %+v %v", all, err)
	}
	// Re-adding a known text reuses its version, also with other line
	// ends and a byte-order mark.
	if v, _ := s2.Add(text2, Version{Source: "again"}); v.ID != v2.ID {
		t.Errorf("re-add = %s, want %s", v.ID, v2.ID)
	}
	crlf := append([]byte("\uFEFF"), strings.ReplaceAll(string(text2), "\n", "\r\n")...)
	if v, _ := s2.Add(crlf, Version{Source: "windows"}); v.ID != v2.ID {
		t.Errorf("CRLF and BOM = new version %s, want %s", v.ID, v2.ID)
	}
	if all, _ := s2.List(); len(all) != 2 {
		t.Errorf("%d versions after re-adding, want 2", len(all))
	}
	for _, bad := range []string{"", "../x", "0009-deadbeef"} {
		if _, _, err := s2.Get(bad); !errors.Is(err, ErrNotFound) {
			t.Errorf("Get(%q) = %v", bad, err)
		}
	}
}

func TestNormalize(t *testing.T) {
	for in, want := range map[string]string{
		"a\nb\n": "a\nb\n", "\uFEFFa\r\nb\r\n": "a\nb\n", "a\rb\r": "a\nb\n", "a\r\n\r\nb": "a\n\nb", "": "",
	} {
		if got := string(Normalize([]byte(in))); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", in, got, want)
		}
	}
	same := []byte("no change\n")
	if got := Normalize(same); &got[0] != &same[0] {
		t.Error("Normalize copied a text it did not change")
	}
}

// TestDamaged: a version whose text no longer matches its hash, or whose
// files are gone, is refused by Get and Current and marked by List.
func TestDamaged(t *testing.T) {
	s, _ := Open(t.TempDir())
	now := time.Now()
	v1, _ := s.Add(data.DefaultText(), describe("seed", 50, "a", now))
	v2, _ := s.Add([]byte("T2\n1 方針\n(1)施策\n取組\n実施内容 担当課\nA。 甲課\n"), describe("T2", 1, "b", now))
	v3, _ := s.Add([]byte("T3\n"), describe("T3", 0, "c", now))
	// Truncated, same length but changed, missing.
	os.WriteFile(filepath.Join(s.Dir(), v1.ID+".txt"), data.DefaultText()[:100], 0o644)
	b, _ := os.ReadFile(filepath.Join(s.Dir(), v2.ID+".txt"))
	b[0] = 'X'
	os.WriteFile(filepath.Join(s.Dir(), v2.ID+".txt"), b, 0o644)
	os.Remove(filepath.Join(s.Dir(), v3.ID+".txt"))
	for _, id := range []string{v1.ID, v2.ID, v3.ID} {
		if _, _, err := s.Get(id); !errors.Is(err, ErrDamaged) {
			t.Errorf("Get(%s) = %v, want ErrDamaged", id, err)
		}
	}
	if _, _, err := s.Current(); !errors.Is(err, ErrDamaged) {
		t.Errorf("Current of a damaged version: %v", err)
	}
	if err := s.SetCurrent(v2.ID); !errors.Is(err, ErrDamaged) {
		t.Errorf("SetCurrent to a damaged version: %v", err)
	}
	all, _ := s.List()
	damaged := map[string]string{}
	for _, v := range all {
		damaged[v.ID] = v.Damaged
	}
	// List checks lengths, not hashes: the changed byte is found by Get.
	if damaged[v1.ID] == "" || damaged[v2.ID] != "" || damaged[v3.ID] != "text missing" {
		t.Errorf("List damage = %q", damaged)
	}
	// An unreadable description.
	os.WriteFile(filepath.Join(s.Dir(), v2.ID+".json"), []byte("{"), 0o644)
	if _, _, err := s.Get(v2.ID); !errors.Is(err, ErrDamaged) {
		t.Errorf("Get with a broken description: %v", err)
	}
	if all, err := s.List(); err != nil || len(all) != 3 || all[1].Damaged == "" {
		t.Errorf("List with a broken description: %+v %v", all, err)
	}
	// CURRENT naming a version that is gone is damage, not an empty store.
	os.Remove(filepath.Join(s.Dir(), v3.ID+".json"))
	if _, _, err := s.Current(); !errors.Is(err, ErrDamaged) {
		t.Errorf("CURRENT naming a missing version: %v", err)
	}
	// Adding the text of the damaged v1 again stores it anew.
	v4, err := s.Add(data.DefaultText(), describe("seed", 50, "again", now))
	if err != nil || v4.ID == v1.ID || !strings.HasPrefix(v4.ID, "0003-") {
		t.Errorf("re-adding a damaged version's text: %+v %v", v4, err)
	}
}

// TestKeep: only the newest Keep versions stay, never deleting the one
// served, and sequence numbers keep growing.
func TestKeep(t *testing.T) {
	s, _ := Open(t.TempDir())
	s.Keep = 3
	var ids []string
	for i := range 5 {
		v, err := s.Add(fmt.Appendf(nil, "plan %d\n", i), describe(fmt.Sprint(i), 1, "t", time.Now()))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, v.ID)
	}
	all, _ := s.List()
	if len(all) != 3 || all[0].ID != ids[2] || all[2].ID != ids[4] {
		t.Fatalf("kept %v, want the last 3 of %v", all, ids)
	}
	if _, err := os.Stat(filepath.Join(s.Dir(), ids[0]+".txt")); !os.IsNotExist(err) {
		t.Errorf("text of a pruned version kept: %v", err)
	}
	// Serving the oldest kept version: the next addition keeps it, as the
	// version to roll back to.
	if err := s.SetCurrent(ids[2]); err != nil {
		t.Fatal(err)
	}
	s.Keep = 2
	v, _ := s.Add([]byte("plan 5\n"), describe("5", 1, "t", time.Now()))
	if !strings.HasPrefix(v.ID, "0006-") {
		t.Errorf("ID after pruning = %s, want 0006-…", v.ID)
	}
	if err := s.SetCurrent(ids[2]); err != nil {
		t.Fatalf("the served version was pruned: %v", err)
	}
	v7, _ := s.Add([]byte("plan 6\n"), describe("6", 1, "t", time.Now()))
	all, _ = s.List()
	got := []string{}
	for _, v := range all {
		got = append(got, v.ID)
	}
	if len(all) != 2 || all[0].ID != ids[2] || all[1].ID != v7.ID {
		t.Errorf("kept %v, want %s (served before) and %s", got, ids[2], v7.ID)
	}
	s.Keep = -1
	for i := range 4 {
		s.Add(fmt.Appendf(nil, "more %d\n", i), describe("m", 1, "t", time.Now()))
	}
	if all, _ := s.List(); len(all) != 6 {
		t.Errorf("Keep -1 kept %d of 6", len(all))
	}
}

func TestLock(t *testing.T) {
	dir := t.TempDir()
	l, err := Lock(dir, Holder{Command: "serve", Addr: "http://localhost:8080"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = Lock(dir, Holder{Command: "reindex"})
	var le *LockedError
	if !errors.As(err, &le) || !errors.Is(err, ErrLocked) || le.Holder.PID != os.Getpid() {
		t.Fatalf("second lock: %v", err)
	}
	for _, want := range []string{"a service (pid", "http://localhost:8080", "--server http://localhost:8080"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message %q lacks %q", err, want)
		}
	}
	if err := l.Unlock(); err != nil {
		t.Fatal(err)
	}
	l2, err := Lock(dir, Holder{Command: "reindex"})
	if err != nil {
		t.Fatalf("lock after unlock: %v", err)
	}
	_, err = Lock(dir, Holder{Command: "rollback"})
	if err == nil || !strings.Contains(err.Error(), "planbot reindex (pid") {
		t.Errorf("lock held by a command: %v", err)
	}
	l2.Unlock()
}
