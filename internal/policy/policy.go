// Package policy runs Rego policies over configuration files the way
// conftest does (doc/checks.md, ADR 0016), in process with OPA: the same
// deny, violation and warn rules (with any _suffix), exception rules, one
// namespace ("main") or all of them, --data documents, data.conftest.file,
// multi-document YAML evaluated document by document, and --combine. A
// user's conftest policies run unchanged.
//
// Unlike conftest it compiles each rule's query once and evaluates it for
// every document with the input converted once, and it evaluates the
// documents on every processor.
package policy

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/loader"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
)

// The rules conftest evaluates: failures and warnings, each with any
// number of _suffixes (deny_public_bucket).
var (
	failureRule = regexp.MustCompile(`^(deny|violation)(_[a-zA-Z0-9]+)*$`)
	warningRule = regexp.MustCompile(`^warn(_[a-zA-Z0-9]+)*$`)
)

var conftestFile = ast.MustParseRef("data.conftest.file")

// Options say which policies and data to load.
type Options struct {
	// Policies are .rego files or folders of them (searched recursively).
	Policies []string
	// Data are JSON or YAML files, or folders of them, loaded as OPA
	// loads data (a folder's path becomes the document's place under
	// data).
	Data []string
	// RegoVersion is "v1" (the default) or "v0".
	RegoVersion string
}

// Engine holds compiled policies: each namespace's rules, their queries
// prepared once.
type Engine struct {
	compiler *ast.Compiler
	store    storage.Store
	// namespaces are the packages holding policy rules, sorted.
	namespaces []string
	rules      map[string][]rule
	// exceptions names the namespaces that define exception rules.
	exceptions map[string]bool
	// prepared holds a prepared query per query text.
	prepared map[string]rego.PreparedEvalQuery
	// usesFile is set when a policy reads data.conftest.file: each file's
	// name and folder are then written there before its evaluation, and
	// files are evaluated one at a time.
	usesFile bool
}

// rule is one failure or warning rule of a namespace, and how many
// definitions it has (conftest counts each as a test).
type rule struct {
	name    string
	failure bool
	defs    int
}

// Load reads and compiles the policies and data. A policy that does not
// parse or compile is refused naming its file and line.
func Load(ctx context.Context, opts Options) (*Engine, error) {
	version := ast.RegoV1
	switch opts.RegoVersion {
	case "", "v1", "V1":
	case "v0", "V0":
		version = ast.RegoV0
	default:
		return nil, &Error{Msg: fmt.Sprintf("Rego version %q is not known: use v1 or v0", opts.RegoVersion)}
	}
	if len(opts.Policies) == 0 {
		opts.Policies = []string{"policy"}
	}
	for _, p := range append(slices.Clone(opts.Policies), opts.Data...) {
		if _, err := os.Stat(p); err != nil {
			return nil, &Error{File: p, Msg: "cannot be read: " + pathError(err)}
		}
	}
	res, err := loader.NewFileLoader().WithProcessAnnotation(true).WithRegoVersion(version).Filtered(opts.Policies, func(_ string, info os.FileInfo, _ int) bool {
		return !info.IsDir() && filepath.Ext(info.Name()) != ".rego"
	})
	if err != nil {
		return nil, &Error{Msg: err.Error()}
	}
	modules := res.ParsedModules()
	if len(modules) == 0 {
		return nil, &Error{File: strings.Join(opts.Policies, ", "), Msg: "holds no Rego policies (.rego files)"}
	}
	compiler := ast.NewCompiler().WithEnablePrintStatements(false)
	if compiler.Compile(modules); compiler.Failed() {
		return nil, &Error{Msg: compiler.Errors.Error()}
	}
	e := &Engine{compiler: compiler, rules: map[string][]rule{}, exceptions: map[string]bool{}, prepared: map[string]rego.PreparedEvalQuery{}}
	// In file order, so rules come out the same every time.
	for _, name := range slices.Sorted(maps.Keys(modules)) {
		m := modules[name]
		ns := strings.TrimPrefix(m.Package.Path.String(), "data.")
		for _, r := range m.Rules {
			n := r.Head.Name.String()
			if n == "" && len(r.Head.Reference) > 0 {
				n = r.Head.Reference[0].String()
			}
			switch {
			case n == "exception":
				e.exceptions[ns] = true
				continue
			case !failureRule.MatchString(n) && !warningRule.MatchString(n):
				continue
			}
			rs := e.rules[ns]
			i := slices.IndexFunc(rs, func(x rule) bool { return x.name == n })
			if i < 0 {
				rs = append(rs, rule{name: n, failure: failureRule.MatchString(n)})
				i = len(rs) - 1
			}
			rs[i].defs++
			e.rules[ns] = rs
		}
		ast.WalkRefs(m, func(r ast.Ref) bool {
			if r.HasPrefix(conftestFile) {
				e.usesFile = true
			}
			return false
		})
		if !slices.Contains(e.namespaces, ns) {
			e.namespaces = append(e.namespaces, ns)
		}
	}
	slices.Sort(e.namespaces)
	// Data as OPA loads it, under data; data.conftest.file is written
	// per file.
	var docs map[string]any
	if len(opts.Data) > 0 {
		data, err := loader.NewFileLoader().Filtered(opts.Data, func(_ string, info os.FileInfo, _ int) bool {
			if info.IsDir() {
				return false
			}
			return !slices.Contains([]string{".yaml", ".yml", ".json"}, filepath.Ext(info.Name()))
		})
		if err != nil {
			return nil, &Error{Msg: err.Error()}
		}
		docs = data.Documents
	}
	if docs == nil {
		docs = map[string]any{}
	}
	conftest, _ := docs["conftest"].(map[string]any)
	if conftest == nil {
		conftest = map[string]any{}
		docs["conftest"] = conftest
	}
	conftest["file"] = map[string]any{"name": "", "dir": ""}
	e.store = inmem.NewFromObject(docs)
	for ns, rs := range e.rules {
		for _, r := range rs {
			if err := e.prepare(ctx, fmt.Sprintf("data.%s.%s", ns, r.name)); err != nil {
				return nil, err
			}
			if e.exceptions[ns] {
				if err := e.prepare(ctx, exceptionQuery(ns, r.name)); err != nil {
					return nil, err
				}
			}
		}
	}
	return e, nil
}

func exceptionQuery(ns, rule string) string {
	// Exceptions name rules without their deny_/violation_/warn_ prefix.
	name := rule
	for _, p := range []string{"deny_", "violation_", "warn_"} {
		name = strings.TrimPrefix(name, p)
	}
	return fmt.Sprintf("data.%s.exception[_][_] == %q", ns, name)
}

func (e *Engine) prepare(ctx context.Context, q string) error {
	pq, err := rego.New(rego.Query(q), rego.Compiler(e.compiler), rego.Store(e.store)).PrepareForEval(ctx)
	if err != nil {
		return &Error{Msg: fmt.Sprintf("query %s: %v", q, err)}
	}
	e.prepared[q] = pq
	return nil
}

// Namespaces are the packages that hold policy rules.
func (e *Engine) Namespaces() []string { return e.namespaces }

// Result is one message a rule gave: its text and the rest of the object
// the rule returned (with the rule's query).
type Result struct {
	Msg      string         `json:"msg"`
	Metadata map[string]any `json:"metadata,omitempty"`
}

// Outcome is what one namespace's rules said of one file (all its
// documents): successes counted as conftest counts them, failures,
// warnings and exceptions.
type Outcome struct {
	File       string   `json:"filename"`
	Namespace  string   `json:"namespace"`
	Successes  int      `json:"successes"`
	Failures   []Result `json:"failures,omitempty"`
	Warnings   []Result `json:"warnings,omitempty"`
	Exceptions []Result `json:"exceptions,omitempty"`
}

// Check evaluates every document of every input against the namespaces
// (all of the engine's when all is set; "main" when none is named), one
// outcome per file and namespace, in input order then namespace order.
// Documents are evaluated on every processor.
func (e *Engine) Check(ctx context.Context, inputs []Input, namespaces []string, all bool) ([]Outcome, error) {
	if all {
		namespaces = e.namespaces
	} else if len(namespaces) == 0 {
		namespaces = []string{"main"}
	}
	type job struct{ input, ns int }
	var jobs []job
	for i := range inputs {
		for n := range namespaces {
			jobs = append(jobs, job{i, n})
		}
	}
	out := make([]Outcome, len(jobs))
	errs := make([]error, len(jobs))
	if e.usesFile {
		for k, j := range jobs {
			if k == 0 || jobs[k-1].input != j.input {
				if err := e.setFile(ctx, inputs[j.input].Path); err != nil {
					return nil, err
				}
			}
			if out[k], errs[k] = e.check(ctx, &inputs[j.input], namespaces[j.ns]); errs[k] != nil {
				return nil, errs[k]
			}
		}
		return out, nil
	}
	var wg sync.WaitGroup
	next := make(chan int)
	for range min(runtime.GOMAXPROCS(0), len(jobs)) {
		wg.Go(func() {
			for k := range next {
				j := jobs[k]
				out[k], errs[k] = e.check(ctx, &inputs[j.input], namespaces[j.ns])
			}
		})
	}
	for k := range jobs {
		next <- k
	}
	close(next)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return out, nil
}

// setFile writes data.conftest.file for the file about to be evaluated.
func (e *Engine) setFile(ctx context.Context, path string) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	return storage.WriteOne(ctx, e.store, storage.ReplaceOp, storage.Path{"conftest", "file"}, map[string]any{"name": filepath.Base(abs), "dir": filepath.Dir(abs)})
}

// check evaluates one file's documents against one namespace, counting as
// conftest does: a rule that gave no message is a success; each message
// is a failure or warning, and each exception an exception; and when that
// makes fewer results than the namespace has rule definitions, the rest
// are successes too.
func (e *Engine) check(ctx context.Context, in *Input, ns string) (Outcome, error) {
	o := Outcome{File: in.Path, Namespace: ns}
	for _, doc := range in.Docs {
		tests, results, successes := 0, 0, 0
		for _, r := range e.rules[ns] {
			tests += r.defs
			q := fmt.Sprintf("data.%s.%s", ns, r.name)
			if e.exceptions[ns] {
				eq := exceptionQuery(ns, r.name)
				rs, err := e.prepared[eq].Eval(ctx, rego.EvalParsedInput(doc))
				if err != nil {
					return Outcome{}, &Error{File: in.Path, Msg: fmt.Sprintf("evaluating %s: %v", eq, err)}
				}
				if len(rs) > 0 {
					o.Exceptions = append(o.Exceptions, Result{Msg: eq})
					results++
					continue
				}
			}
			rs, err := e.prepared[q].Eval(ctx, rego.EvalParsedInput(doc))
			if err != nil {
				return Outcome{}, &Error{File: in.Path, Msg: fmt.Sprintf("evaluating %s: %v", q, err)}
			}
			msgs := messages(rs, q)
			results += len(msgs)
			if len(msgs) == 0 {
				successes++
			}
			if r.failure {
				o.Failures = append(o.Failures, msgs...)
			} else {
				o.Warnings = append(o.Warnings, msgs...)
			}
		}
		o.Successes += successes + max(0, tests-results-successes)
	}
	return o, nil
}

// messages reads a rule's value: a set of strings, or of objects with a
// msg (the rest kept as metadata).
func messages(rs rego.ResultSet, query string) []Result {
	var out []Result
	for _, r := range rs {
		for _, ex := range r.Expressions {
			vals, _ := ex.Value.([]any)
			for _, v := range vals {
				switch v := v.(type) {
				case string:
					out = append(out, Result{Msg: v, Metadata: map[string]any{"query": query}})
				case map[string]any:
					msg, _ := v["msg"].(string)
					md := map[string]any{"query": query}
					for k, x := range v {
						if k != "msg" {
							md[k] = x
						}
					}
					out = append(out, Result{Msg: msg, Metadata: md})
				}
			}
		}
	}
	return out
}

// Error is a policy, data file or input that cannot be used: File names
// it when known (the message of a policy's parse or compile error already
// names file and line).
type Error struct {
	File string
	Msg  string
}

func (e *Error) Error() string {
	if e.File == "" {
		return e.Msg
	}
	return e.File + ": " + e.Msg
}

func pathError(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
