// Command planbot answers questions about Soma City's implementation plan
// on the command line, and serves the LINE, Slack, web and admin front ends.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"

	"planbot/data"
	"planbot/data/origin"
	"planbot/index"
)

// commands is each command's synopsis, in the order usage lists them.
var commands = []struct{ name, synopsis, what string }{
	{"ask", `ask [--json] [--plan FILE|URL] ["question"]`, "answer a question (--json without a question: one per stdin line)"},
	{"plan", `plan [--json] [--plan FILE|URL]`, "print the parsed plan"},
	{"serve", `serve [--addr :8080] [--plan FILE|URL [--watch | --reload]]`, "run the web chat, LINE, Slack and admin service"},
	{"reindex", `reindex [--plan] FILE|URL [--force] [--server URL]`, "validate and load a new plan version"},
	{"reindex", `reindex --reload [--force] [--server URL]`, "reload the configured plan (the service's --plan)"},
	{"versions", `versions`, "list stored plan versions"},
	{"rollback", `rollback VERSION [--server URL]`, "return to an earlier plan version"},
}

// usage is the command list; "planbot COMMAND --help" says more.
var usage = func() string {
	var b strings.Builder
	b.WriteString("usage: planbot <command> [arguments and flags, in any order]\n\ncommands:\n")
	for _, c := range commands {
		fmt.Fprintf(&b, "  %-62s %s\n", c.synopsis, c.what)
	}
	b.WriteString("\n\"planbot <command> --help\" lists a command's flags; \"--\" ends the flags (planbot ask -- -question).\n")
	return b.String()
}()

// memoryLimit is the default soft limit of the Go heap. The dictionaries
// hold about 65 MiB live, so the collector's own target (twice the live
// heap) stays well below it; the limit caps the heap when a large plan or
// a burst of reindexes would take it further.
const memoryLimit = 200 << 20

// loadGCPercent is the collector's GOGC while the dictionaries load: they
// allocate several times what they keep, and collecting half as often while
// the heap grows cuts start-up by a fifth for a few MiB more at the peak
// (docs/benchmarks.md).
const loadGCPercent = 200

// fastLoad runs the collector at loadGCPercent unless GOGC is set; loaded
// restores the previous pace (serve calls it once it is ready).
func fastLoad(getenv func(string) string) (loaded func()) {
	if getenv("GOGC") != "" {
		return func() {}
	}
	prev := debug.SetGCPercent(loadGCPercent)
	return func() { debug.SetGCPercent(prev) }
}

func main() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "planbot:", err)
		if errors.Is(err, errUsage) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

var errUsage = errors.New("bad usage")

// errHelp is a command's --help: its usage is printed, and planbot exits 0.
var errHelp = errors.New("help shown")

// run is main without process globals, so tests can call it.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errUsage
	}
	cmd, args := args[0], args[1:]
	if cmd == "help" && len(args) > 0 { // planbot help serve
		cmd, args = args[0], []string{"--help"}
	}
	loaded := fastLoad(getenv)
	defer loaded()
	err := dispatch(ctx, cmd, args, getenv, loaded, stdin, stdout, stderr)
	if errors.Is(err, errHelp) {
		return nil
	}
	return err
}

func dispatch(ctx context.Context, cmd string, args []string, getenv func(string) string, loaded func(), stdin io.Reader, stdout, stderr io.Writer) error {
	switch cmd {
	case "ask":
		return cmdAsk(ctx, args, getenv, stdin, stdout, stderr)
	case "plan":
		return cmdPlan(ctx, args, getenv, stdout, stderr)
	case "serve":
		return cmdServe(ctx, args, getenv, loaded, stdout, stderr)
	case "reindex":
		return cmdReindex(ctx, args, getenv, stdout, stderr)
	case "versions":
		return cmdVersions(args, getenv, stdout, stderr)
	case "rollback":
		return cmdRollback(ctx, args, getenv, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("%w: unknown command %q", errUsage, cmd)
}

// planFlags are the flags every command shares.
type planFlags struct {
	plan        string
	synonyms    string
	depts       string
	wordClasses string
	colloquial  string
}

func (pf *planFlags) register(fs *flag.FlagSet, getenv func(string) string) {
	fs.StringVar(&pf.plan, "plan", getenv("PLANBOT_PLAN"), "the plan: a text or page `file`, or the city's page URL (default: the embedded plan)")
	fs.StringVar(&pf.synonyms, "synonyms", getenv("PLANBOT_SYNONYMS"), "curated synonyms `file` (default: embedded data/synonyms.tsv)")
	fs.StringVar(&pf.depts, "departments", getenv("PLANBOT_DEPARTMENTS"), "English department names `file` (default: embedded data/departments.tsv)")
	fs.StringVar(&pf.wordClasses, "wordclasses", getenv("PLANBOT_WORDCLASSES"), "question words and other word classes `file` (default: embedded data/wordclasses.tsv)")
	fs.StringVar(&pf.colloquial, "colloquial", getenv("PLANBOT_COLLOQUIAL"), "spoken and dialect rewrite rules `file` (default: embedded data/colloquial.tsv)")
}

// load reads and parses the selected plan: a file or a URL, text or the
// city's page.
func (pf *planFlags) load(ctx context.Context) (*data.Plan, error) {
	if pf.plan == "" {
		return data.Default(), nil
	}
	d, err := origin.Read(ctx, pf.plan, nil)
	if err != nil {
		return nil, err
	}
	p, err := data.ParseSource(d.Text, d.ContentType)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", pf.plan, err)
	}
	return p, nil
}

func (pf *planFlags) lexicon() (*index.Lexicon, error) {
	return index.LoadLexicon(index.LexiconOptions{SynonymsFile: pf.synonyms, DepartmentsFile: pf.depts,
		WordClassesFile: pf.wordClasses, ColloquialFile: pf.colloquial})
}

// index loads the plan and the lexicon and builds the index.
func (pf *planFlags) index(ctx context.Context) (*index.Index, error) {
	p, err := pf.load(ctx)
	if err != nil {
		return nil, err
	}
	lex, err := pf.lexicon()
	if err != nil {
		return nil, err
	}
	return index.New(p, lex)
}

func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {} // parseArgs prints it, to stdout for --help
	return fs
}

// parseArgs parses a command's arguments with the flags anywhere among
// them (planbot rollback VERSION --server URL, planbot ask "q" --json), as
// people type them; "--" ends the flags. It returns the other arguments.
// --help or -h prints the command's usage to stdout (errHelp: exit 0); a
// bad flag prints the error and the usage to stderr (errUsage: exit 2).
func parseArgs(fs *flag.FlagSet, args []string, stdout io.Writer) ([]string, error) {
	var rest []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				printUsage(fs, stdout)
				return nil, errHelp
			}
			printUsage(fs, fs.Output())
			return nil, errUsage
		}
		left := fs.Args()
		if len(left) == 0 {
			return rest, nil
		}
		if n := len(args) - len(left); n > 0 && args[n-1] == "--" {
			return append(rest, left...), nil
		}
		rest, args = append(rest, left[0]), left[1:]
	}
}

// printUsage writes the command's synopses and flags to w.
func printUsage(fs *flag.FlagSet, w io.Writer) {
	for _, c := range commands {
		if c.name == fs.Name() {
			fmt.Fprintf(w, "usage: planbot %s\n    %s\n", c.synopsis, c.what)
		}
	}
	fmt.Fprintln(w, "\nflags (before or after the arguments):")
	out := fs.Output()
	fs.SetOutput(w)
	fs.PrintDefaults()
	fs.SetOutput(out)
}

// noArgs refuses arguments a command does not take.
func noArgs(cmd string, rest []string) error {
	if len(rest) > 0 {
		return fmt.Errorf("%w: %s takes no argument %q (see planbot %s --help)", errUsage, cmd, rest[0], cmd)
	}
	return nil
}

func cmdAsk(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlagSet("ask", stderr)
	var pf planFlags
	pf.register(fs, getenv)
	asJSON := fs.Bool("json", false, "print one JSON answer per question")
	questions, err := parseArgs(fs, args, stdout)
	if err != nil {
		return err
	}
	if len(questions) > 0 {
		questions = []string{strings.Join(questions, " ")}
	} else if !*asJSON {
		return fmt.Errorf("%w: ask needs a question (or --json to read questions from stdin)", errUsage)
	}
	ix, err := pf.index(ctx)
	if err != nil {
		return err
	}
	defer ix.Close()
	out := bufio.NewWriter(stdout)
	defer out.Flush()
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	answer := func(q string) error {
		a, err := ix.Ask(q)
		if err != nil {
			fmt.Fprintln(stderr, "planbot: ask:", err)
		}
		if *asJSON {
			return enc.Encode(a)
		}
		_, err = fmt.Fprintln(out, a.Text)
		return err
	}
	if len(questions) > 0 {
		return answer(questions[0])
	}
	// Reading stdin blocks; SIGTERM (ctx) stops the loop all the same.
	lines := make(chan string)
	var scanErr error
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(stdin)
		sc.Buffer(make([]byte, 64*1024), 1024*1024)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			case <-ctx.Done():
				return
			}
		}
		scanErr = sc.Err()
	}()
	for {
		select {
		case <-ctx.Done():
			return fmt.Errorf("ask: stopped: %w", ctx.Err())
		case q, ok := <-lines:
			if !ok && ctx.Err() != nil {
				return fmt.Errorf("ask: stopped: %w", ctx.Err())
			}
			if !ok {
				return scanErr // set before lines closed
			}
			if err := answer(q); err != nil {
				return err
			}
			out.Flush()
		}
	}
}

func cmdPlan(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("plan", stderr)
	var pf planFlags
	pf.register(fs, getenv)
	asJSON := fs.Bool("json", false, "print the plan as JSON")
	rest, err := parseArgs(fs, args, stdout)
	if err != nil {
		return err
	}
	if err := noArgs("plan", rest); err != nil {
		return err
	}
	p, err := pf.load(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		return enc.Encode(p)
	}
	fmt.Fprintf(stdout, "%s (更新日 %s): %d actions, %d departments\n", p.Title, p.Updated, len(p.Items), len(p.Departments()))
	for _, it := range p.Items {
		fmt.Fprintf(stdout, "%-9s %-20s %s\n", it.ID, strings.Join(it.Departments, ","), it.Content)
	}
	return nil
}
