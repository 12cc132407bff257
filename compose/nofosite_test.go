package compose_test

import (
	"bufio"
	"bytes"
	"fmt"
	"go/importer"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"path"
	"strings"
	"testing"
)

const (
	module       = "github.com/oauthkit/oauthkit"
	fositePath   = "github.com/ory/fosite"
	adapterPath  = module + "/adapters/fosite"
	composePath  = module + "/compose"
	fositePeer   = module + "/internal/cmd/fositepeer"
	examplesPath = module + "/examples/"
)

// goCommand returns the go command, skipping the test outside CI when there is none.
func goCommand(t *testing.T) string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("the go command is required under CI: %v", err)
		}
		t.Skip("go command not found")
	}
	return goBin
}

func isFosite(p string) bool { return p == fositePath || strings.HasPrefix(p, fositePath+"/") }

// TestFositeIsConfinedToItsAdapter proves, through go list over every package of the
// module: only adapters/fosite imports fosite directly (and internal/cmd/fositepeer, which is
// fosite's own composition as a benchmark peer); only compose imports the adapter; and only
// those, and the examples built on compose (and internal/cmd/sizecheck's servers, which are
// compose measured), link fosite at all.
func TestFositeIsConfinedToItsAdapter(t *testing.T) {
	goBin := goCommand(t)
	out, err := exec.Command(goBin, "list", "-f", "{{.ImportPath}}|{{join .Imports \" \"}}|{{join .Deps \" \"}}", module+"/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	seen := 0
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		pkg, rest, _ := strings.Cut(sc.Text(), "|")
		imports, deps, _ := strings.Cut(rest, "|")
		seen++
		for _, imp := range strings.Fields(imports) {
			switch {
			case isFosite(imp) && pkg != adapterPath && pkg != fositePeer:
				t.Errorf("%s imports %s; only adapters/fosite may", pkg, imp)
			case imp == adapterPath && pkg != composePath:
				t.Errorf("%s imports adapters/fosite; only compose may", pkg)
			}
		}
		links := false
		for _, d := range strings.Fields(deps) {
			links = links || isFosite(d)
		}
		allowed := pkg == adapterPath || pkg == composePath || pkg == fositePeer ||
			strings.HasPrefix(pkg, examplesPath) || strings.HasPrefix(pkg, module+"/internal/cmd/sizecheck/")
		if links && !allowed {
			t.Errorf("%s links fosite", pkg)
		}
	}
	if seen < 20 {
		t.Fatalf("go list listed %d packages, want the whole module", seen)
	}
}

// TestComposeAPICarriesNoFositeType type-checks compose's exported API, from the compiler's
// export data, and walks every exported constant, variable, function, type, field and
// method signature: none may name a type of fosite or of adapters/fosite.
func TestComposeAPICarriesNoFositeType(t *testing.T) {
	goBin := goCommand(t)
	out, err := exec.Command(goBin, "list", "-export", "-deps", "-f", "{{.ImportPath}}={{.Export}}", composePath).Output()
	if err != nil {
		t.Fatalf("go list -export: %v", err)
	}
	exports := map[string]string{}
	for _, line := range strings.Fields(string(out)) {
		if p, file, ok := strings.Cut(line, "="); ok && file != "" {
			exports[p] = file
		}
	}
	fset := token.NewFileSet()
	imp := importer.ForCompiler(fset, "gc", func(p string) (io.ReadCloser, error) {
		file, ok := exports[p]
		if !ok {
			return nil, fmt.Errorf("no export data for %s", p)
		}
		return os.Open(file)
	})
	pkg, err := imp.Import(composePath)
	if err != nil {
		t.Fatalf("import compose: %v", err)
	}
	w := apiWalker{t: t, seen: map[types.Type]bool{}}
	scope := pkg.Scope()
	checked := 0
	for _, name := range scope.Names() {
		obj := scope.Lookup(name)
		if !obj.Exported() {
			continue
		}
		checked++
		w.walk(name, obj.Type())
		if tn, ok := obj.(*types.TypeName); ok {
			for _, typ := range []types.Type{tn.Type(), types.NewPointer(tn.Type())} {
				ms := types.NewMethodSet(typ)
				for i := range ms.Len() {
					if m := ms.At(i).Obj(); m.Exported() {
						w.walk(name+"."+m.Name(), m.Type())
					}
				}
			}
		}
	}
	if checked < 20 || scope.Lookup("Server") == nil {
		t.Fatalf("walked %d exported names of compose, want its whole API", checked)
	}
}

// apiWalker walks a type of compose's API, into compose's own named types and into every
// composite type, and reports any named type of fosite or of its adapter.
type apiWalker struct {
	t    *testing.T
	seen map[types.Type]bool
}

func (w *apiWalker) walk(where string, typ types.Type) {
	if w.seen[typ] {
		return
	}
	w.seen[typ] = true
	switch typ := typ.(type) {
	case *types.Alias:
		w.walk(where, types.Unalias(typ))
	case *types.Named:
		p := typ.Obj().Pkg()
		if p == nil {
			return
		}
		if isFosite(p.Path()) || p.Path() == adapterPath {
			w.t.Errorf("compose's API names %s.%s (in %s)", path.Base(p.Path()), typ.Obj().Name(), where)
			return
		}
		for i := range typ.TypeArgs().Len() {
			w.walk(where, typ.TypeArgs().At(i))
		}
		if p.Path() == composePath {
			w.walk(where, typ.Underlying())
		}
	case *types.Pointer:
		w.walk(where, typ.Elem())
	case *types.Slice:
		w.walk(where, typ.Elem())
	case *types.Array:
		w.walk(where, typ.Elem())
	case *types.Map:
		w.walk(where, typ.Key())
		w.walk(where, typ.Elem())
	case *types.Chan:
		w.walk(where, typ.Elem())
	case *types.Signature:
		w.walk(where, typ.Params())
		w.walk(where, typ.Results())
	case *types.Tuple:
		for i := range typ.Len() {
			w.walk(where, typ.At(i).Type())
		}
	case *types.Struct:
		for i := range typ.NumFields() {
			if f := typ.Field(i); f.Exported() || f.Embedded() {
				w.walk(where+"."+f.Name(), f.Type())
			}
		}
	case *types.Interface:
		for i := range typ.NumMethods() {
			w.walk(where+"."+typ.Method(i).Name(), typ.Method(i).Type())
		}
	}
}
