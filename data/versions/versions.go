// Package versions keeps every accepted plan text on disk, so that an
// admin can see what was loaded when, the service restarts on the version
// it last served, and a bad update can be rolled back.
//
// Every text is stored with its SHA-256 and checked against it whenever
// it is read back (Get, Current): a truncated or corrupted version is
// refused with ErrDamaged, never served. A directory is used by one
// process at a time that changes it (Lock): the service for as long as it
// runs, or one offline command.
package versions

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Version describes one accepted plan text.
type Version struct {
	ID          string    `json:"id"`      // "0001-1a2b3c4d": sequence and short hash
	Hash        string    `json:"hash"`    // SHA-256 of the stored (normalised) text
	Bytes       int64     `json:"bytes"`   // length of the stored text; 0 in versions stored before it was kept
	Updated     string    `json:"updated"` // the plan's 更新日
	Title       string    `json:"title"`
	Items       int       `json:"items"`
	LoadedAt    time.Time `json:"loaded_at"`
	Source      string    `json:"source"`                 // where it came from: a file, a URL, an upload, Slack, …
	ContentType string    `json:"content_type,omitempty"` // the HTTP Content-Type it came with, for parsing it again
	// Damaged is set by List for a version whose files are missing,
	// unreadable or of the wrong length; Get checks the hash as well.
	Damaged string `json:"damaged,omitempty"`
}

var (
	// ErrNotFound is returned for an unknown version ID.
	ErrNotFound = errors.New("versions: no such version")
	// ErrDamaged is wrapped by the error for a stored version whose text
	// no longer matches its hash (or whose files are missing or
	// unreadable): it is never served.
	ErrDamaged = errors.New("stored version is damaged")
)

// DefaultKeep is how many versions a Store keeps unless told otherwise.
const DefaultKeep = 20

// Store is a directory of accepted plans: ID.txt with the text, ID.json
// with its Version, and CURRENT naming the version being served.
type Store struct {
	dir string
	// Keep is how many versions to keep, newest first; older ones are
	// deleted when a version is added, except the one being served. 0
	// means DefaultKeep, a negative number keeps every version.
	Keep int
	mu   sync.Mutex
}

// Open uses dir, creating it if needed.
func Open(dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("versions: %w", err)
	}
	return &Store{dir: dir}, nil
}

// Dir is the store's directory.
func (s *Store) Dir() string { return s.dir }

// Hash is the hex SHA-256 of a plan text.
func Hash(text []byte) string {
	h := sha256.Sum256(text)
	return hex.EncodeToString(h[:])
}

// Normalize returns text without a UTF-8 byte-order mark and with CRLF and
// lone CR line ends turned into LF: the same plan saved on another system
// is the same version. It returns text itself when there is nothing to
// change. (CR and LF never occur inside a Shift_JIS or EUC-JP character,
// so this is safe before the charset is known.)
func Normalize(text []byte) []byte {
	text = bytes.TrimPrefix(text, []byte("\uFEFF"))
	if bytes.IndexByte(text, '\r') < 0 {
		return text
	}
	out := make([]byte, 0, len(text))
	for i := 0; i < len(text); i++ {
		c := text[i]
		if c == '\r' {
			if i+1 < len(text) && text[i+1] == '\n' {
				continue
			}
			c = '\n'
		}
		out = append(out, c)
	}
	return out
}

// Add stores an accepted plan text, normalised, with v's description
// (Updated, Title, Items, LoadedAt, Source, ContentType; ID, Hash and
// Bytes are set here), and makes it current. A text equal to a stored
// version makes that version current again instead. Older versions beyond
// Keep are deleted, never the new current one nor the one it replaces.
func (s *Store) Add(text []byte, v Version) (Version, error) {
	text = Normalize(text)
	s.mu.Lock()
	defer s.mu.Unlock()
	all, err := s.list()
	if err != nil {
		return Version{}, err
	}
	previous, _ := s.currentID()
	hash := Hash(text)
	for _, old := range all {
		if old.Hash == hash && old.Damaged == "" {
			if _, _, err := s.get(old.ID); err == nil {
				return old, s.setCurrent(old.ID)
			}
		}
	}
	next := 1
	for _, old := range all {
		next = max(next, seq(old.ID)+1)
	}
	v.ID = fmt.Sprintf("%04d-%s", next, hash[:8])
	v.Hash, v.Bytes, v.Damaged = hash, int64(len(text)), ""
	v.LoadedAt = v.LoadedAt.UTC().Truncate(time.Second)
	meta, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return Version{}, err
	}
	if err := writeAtomic(filepath.Join(s.dir, v.ID+".txt"), text); err != nil {
		return Version{}, err
	}
	if err := writeAtomic(filepath.Join(s.dir, v.ID+".json"), meta); err != nil {
		return Version{}, err
	}
	if err := s.setCurrent(v.ID); err != nil {
		return Version{}, err
	}
	s.prune(append(all, v), v.ID, previous)
	return v, nil
}

// prune deletes the oldest versions beyond Keep, never the current one
// nor the one served before it (what a rollback would return to).
func (s *Store) prune(all []Version, current, previous string) {
	keep := s.Keep
	if keep == 0 {
		keep = DefaultKeep
	}
	if keep < 0 || len(all) <= keep {
		return
	}
	slices.SortFunc(all, byAge)
	extra := len(all) - keep
	for _, v := range all {
		if extra == 0 {
			break
		}
		if v.ID == current || v.ID == previous {
			continue
		}
		// The description first: a version without it is not listed.
		os.Remove(filepath.Join(s.dir, v.ID+".json"))
		os.Remove(filepath.Join(s.dir, v.ID+".txt"))
		extra--
	}
}

// List returns all versions, oldest first. A version whose description
// cannot be read, or whose text is missing or of another length than
// stored, is listed with Damaged saying why.
func (s *Store) List() ([]Version, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.list()
}

func (s *Store) list() ([]Version, error) {
	names, err := filepath.Glob(filepath.Join(s.dir, "*.json"))
	if err != nil {
		return nil, err
	}
	var out []Version
	for _, n := range names {
		id := strings.TrimSuffix(filepath.Base(n), ".json")
		if !validID(id) {
			continue
		}
		v, err := s.meta(id)
		if err != nil {
			out = append(out, Version{ID: id, Damaged: "description unreadable"})
			continue
		}
		switch fi, err := os.Stat(filepath.Join(s.dir, id+".txt")); {
		case err != nil:
			v.Damaged = "text missing"
		case v.Bytes > 0 && fi.Size() != v.Bytes:
			v.Damaged = fmt.Sprintf("text is %d bytes, %d stored", fi.Size(), v.Bytes)
		}
		out = append(out, v)
	}
	slices.SortFunc(out, byAge)
	return out, nil
}

// byAge orders versions by their sequence number.
func byAge(a, b Version) int {
	if c := seq(a.ID) - seq(b.ID); c != 0 {
		return c
	}
	return strings.Compare(a.ID, b.ID)
}

// seq is the sequence number of an ID ("0012-…" → 12).
func seq(id string) int {
	n, _ := strconv.Atoi(strings.SplitN(id, "-", 2)[0])
	return n
}

func validID(id string) bool { return id != "" && !strings.ContainsAny(id, `/\.`) }

// Get returns a version and its text, checked against its hash: a
// damaged version is an error wrapping ErrDamaged.
func (s *Store) Get(id string) (Version, []byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.get(id)
}

func (s *Store) meta(id string) (Version, error) {
	b, err := os.ReadFile(filepath.Join(s.dir, id+".json"))
	if err != nil {
		return Version{}, err
	}
	var v Version
	if err := json.Unmarshal(b, &v); err != nil {
		return Version{}, err
	}
	if v.ID != id || v.Hash == "" {
		return Version{}, fmt.Errorf("description names %q", v.ID)
	}
	return v, nil
}

func (s *Store) get(id string) (Version, []byte, error) {
	if !validID(id) {
		return Version{}, nil, ErrNotFound
	}
	v, err := s.meta(id)
	if errors.Is(err, os.ErrNotExist) {
		return Version{}, nil, ErrNotFound
	} else if err != nil {
		return Version{ID: id}, nil, fmt.Errorf("version %s: %w: description unreadable: %v", id, ErrDamaged, err)
	}
	text, err := os.ReadFile(filepath.Join(s.dir, id+".txt"))
	if err != nil {
		return v, nil, fmt.Errorf("version %s: %w: %v", id, ErrDamaged, err)
	}
	if Hash(text) != v.Hash {
		return v, nil, fmt.Errorf("version %s: %w: its text (%d bytes) does not match the hash stored with it", id, ErrDamaged, len(text))
	}
	return v, text, nil
}

// Current returns the version being served (checked like Get), or
// ErrNotFound for an empty store.
func (s *Store) Current() (Version, []byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, err := s.currentID()
	if err != nil {
		return Version{}, nil, err
	}
	v, text, err := s.get(id)
	if errors.Is(err, ErrNotFound) {
		// CURRENT names a version that is gone: the store is not empty,
		// it is damaged.
		return Version{ID: id}, nil, fmt.Errorf("version %s: %w: CURRENT names it, but it is not stored", id, ErrDamaged)
	}
	return v, text, err
}

// CurrentID names the version being served without reading it.
func (s *Store) CurrentID() (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.currentID()
}

func (s *Store) currentID() (string, error) {
	if b, err := os.ReadFile(filepath.Join(s.dir, "CURRENT")); err == nil {
		if id := strings.TrimSpace(string(b)); id != "" {
			return id, nil
		}
	}
	all, err := s.list()
	if err != nil {
		return "", err
	}
	if len(all) == 0 {
		return "", ErrNotFound
	}
	return all[len(all)-1].ID, nil
}

// SetCurrent makes an existing, intact version the one to serve.
func (s *Store) SetCurrent(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, _, err := s.get(id); err != nil {
		return err
	}
	return s.setCurrent(id)
}

func (s *Store) setCurrent(id string) error {
	return writeAtomic(filepath.Join(s.dir, "CURRENT"), []byte(id+"\n"))
}

// writeAtomic writes through a temporary file and a rename, so a crash
// never leaves a half-written version.
func writeAtomic(path string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return fmt.Errorf("versions: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return fmt.Errorf("versions: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("versions: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("versions: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("versions: %w", err)
	}
	return nil
}
