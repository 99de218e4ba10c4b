// Package versions keeps every accepted plan text on disk, so that an
// admin can see what was loaded when, the service restarts on the version
// it last served, and a bad update can be rolled back.
package versions

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"planbot/data"
)

// Version describes one accepted plan text.
type Version struct {
	ID       string    `json:"id"`      // "0001-1a2b3c4d": sequence and short hash
	Hash     string    `json:"hash"`    // SHA-256 of the text
	Updated  string    `json:"updated"` // the plan's 更新日
	Title    string    `json:"title"`
	Items    int       `json:"items"`
	LoadedAt time.Time `json:"loaded_at"`
	Source   string    `json:"source"` // where it came from: a file, an upload, Slack, …
}

// ErrNotFound is returned for an unknown version ID.
var ErrNotFound = errors.New("versions: no such version")

// Store is a directory of accepted plans: ID.txt with the text, ID.json
// with its Version, and CURRENT naming the version being served.
type Store struct {
	dir string
	mu  sync.Mutex
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

// Add stores an accepted plan and makes it current. Storing a text equal
// to an earlier version makes that version current again instead.
func (s *Store) Add(text []byte, p *data.Plan, source string, now time.Time) (Version, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	all, err := s.list()
	if err != nil {
		return Version{}, err
	}
	hash := Hash(text)
	for _, v := range all {
		if v.Hash == hash {
			return v, s.setCurrent(v.ID)
		}
	}
	v := Version{
		ID:   fmt.Sprintf("%04d-%s", len(all)+1, hash[:8]),
		Hash: hash, Updated: p.Updated, Title: p.Title, Items: len(p.Items),
		LoadedAt: now.UTC().Truncate(time.Second), Source: source,
	}
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
	return v, s.setCurrent(v.ID)
}

// List returns all versions, oldest first.
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
		b, err := os.ReadFile(n)
		if err != nil {
			return nil, fmt.Errorf("versions: %w", err)
		}
		var v Version
		if err := json.Unmarshal(b, &v); err != nil {
			return nil, fmt.Errorf("versions: %s: %w", filepath.Base(n), err)
		}
		out = append(out, v)
	}
	slices.SortFunc(out, func(a, b Version) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}

// Get returns a version and its text.
func (s *Store) Get(id string) (Version, []byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.get(id)
}

func (s *Store) get(id string) (Version, []byte, error) {
	if id == "" || strings.ContainsAny(id, `/\.`) {
		return Version{}, nil, ErrNotFound
	}
	b, err := os.ReadFile(filepath.Join(s.dir, id+".json"))
	if errors.Is(err, os.ErrNotExist) {
		return Version{}, nil, ErrNotFound
	} else if err != nil {
		return Version{}, nil, fmt.Errorf("versions: %w", err)
	}
	var v Version
	if err := json.Unmarshal(b, &v); err != nil {
		return Version{}, nil, fmt.Errorf("versions: %s: %w", id, err)
	}
	text, err := os.ReadFile(filepath.Join(s.dir, id+".txt"))
	if err != nil {
		return Version{}, nil, fmt.Errorf("versions: %w", err)
	}
	return v, text, nil
}

// Current returns the version being served, or ErrNotFound for an empty
// store.
func (s *Store) Current() (Version, []byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, err := os.ReadFile(filepath.Join(s.dir, "CURRENT"))
	if err == nil {
		return s.get(strings.TrimSpace(string(id)))
	}
	all, lerr := s.list()
	if lerr != nil {
		return Version{}, nil, lerr
	}
	if len(all) == 0 {
		return Version{}, nil, ErrNotFound
	}
	return s.get(all[len(all)-1].ID)
}

// SetCurrent makes an existing version the one to serve.
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
