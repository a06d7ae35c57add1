package volt

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"
)

// argPair is one expected pair; noValue marks a key sent without '='.
type argPair struct {
	key, value string
	noValue    bool
}

// argsParseTests is shared by TestArgsParse, FuzzArgsParse (as seeds) and
// BenchmarkArgsParse (the cases with bench set).
var argsParseTests = []struct {
	name   string
	in     string
	bench  bool
	pairs  []argPair
	encode string // AppendBytes of the parsed Args
}{
	{name: "empty", in: "", encode: ""},
	{name: "one", in: "a=1", pairs: []argPair{{"a", "1", false}}, encode: "a=1"},
	{name: "typical", in: "sort=name&limit=10&offset=20", bench: true,
		pairs:  []argPair{{"sort", "name", false}, {"limit", "10", false}, {"offset", "20", false}},
		encode: "sort=name&limit=10&offset=20"},
	{name: "repeated", in: "a=1&b=2&a=3", pairs: []argPair{{"a", "1", false}, {"b", "2", false}, {"a", "3", false}},
		encode: "a=1&b=2&a=3"},
	{name: "plus-is-space", in: "q=hello+world", pairs: []argPair{{"q", "hello world", false}}, encode: "q=hello+world"},
	{name: "escapes", in: "a=1&b=hello+world&c=%41%42&a=2", bench: true,
		pairs:  []argPair{{"a", "1", false}, {"b", "hello world", false}, {"c", "AB", false}, {"a", "2", false}},
		encode: "a=1&b=hello+world&c=AB&a=2"},
	{name: "escaped-key", in: "a%5Bb%5D=1", pairs: []argPair{{"a[b]", "1", false}}, encode: "a%5Bb%5D=1"},
	{name: "escaped-plus-and-amp", in: "x=%2B%26%3D", pairs: []argPair{{"x", "+&=", false}}, encode: "x=%2B%26%3D"},
	{name: "lower-hex", in: "x=%c3%a9", pairs: []argPair{{"x", "\u00e9", false}}, encode: "x=%C3%A9"},
	{name: "bad-escape", in: "a=%zz&b=%4&c=%&d=100%", pairs: []argPair{{"a", "%zz", false}, {"b", "%4", false}, {"c", "%", false}, {"d", "100%", false}},
		encode: "a=%25zz&b=%254&c=%25&d=100%25"},
	{name: "bad-escape-half", in: "a=%4g1", pairs: []argPair{{"a", "%4g1", false}}, encode: "a=%254g1"},
	{name: "empty-pieces", in: "a=1&&b=2&", pairs: []argPair{{"a", "1", false}, {"b", "2", false}}, encode: "a=1&b=2"},
	{name: "only-ampersands", in: "&&&", encode: ""},
	{name: "no-equals", in: "a&b=&c", pairs: []argPair{{"a", "", true}, {"b", "", false}, {"c", "", true}}, encode: "a&b=&c"},
	{name: "empty-key", in: "=1&=", pairs: []argPair{{"", "1", false}, {"", "", false}}, encode: "=1&="},
	{name: "equals-in-value", in: "a=b=c", pairs: []argPair{{"a", "b=c", false}}, encode: "a=b%3Dc"},
	{name: "semicolon-is-not-separator", in: "a=1;b=2", pairs: []argPair{{"a", "1;b=2", false}}, encode: "a=1%3Bb%3D2"},
	{name: "nul", in: "a=%00", pairs: []argPair{{"a", "\x00", false}}, encode: "a=%00"},
	{name: "raw-bytes", in: "a=\xff b", pairs: []argPair{{"a", "\xff b", false}}, encode: "a=%FF+b"},
	{name: "unreserved-kept", in: "k-._~=v-._~", pairs: []argPair{{"k-._~", "v-._~", false}}, encode: "k-._~=v-._~"},
}

func TestArgsParse(t *testing.T) {
	for _, tc := range argsParseTests {
		t.Run(tc.name, func(t *testing.T) {
			var a Args
			a.Parse(tc.in)
			checkPairs(t, &a, tc.pairs)
			if got := string(a.AppendBytes(nil)); got != tc.encode {
				t.Errorf("AppendBytes = %q, want %q", got, tc.encode)
			}
			if got := string(a.QueryString()); got != tc.encode {
				t.Errorf("QueryString = %q, want %q", got, tc.encode)
			}
			if got := a.String(); got != tc.encode {
				t.Errorf("String = %q, want %q", got, tc.encode)
			}
			// ParseBytes agrees, and the encoded form parses back to the
			// same pairs.
			var b Args
			b.ParseBytes([]byte(tc.in))
			checkPairs(t, &b, tc.pairs)
			b.Parse(tc.encode)
			checkPairs(t, &b, tc.pairs)
		})
	}
}

// TestArgsParseMatchesNetURL compares with url.ParseQuery where both
// define the result: inputs with valid escapes and no ';'.
func TestArgsParseMatchesNetURL(t *testing.T) {
	for _, tc := range argsParseTests {
		want, err := url.ParseQuery(tc.in)
		if err != nil {
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			var a Args
			a.Parse(tc.in)
			got := url.Values{}
			for k, v := range a.All() {
				got[string(k)] = append(got[string(k)], string(v))
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("Args %v, url.ParseQuery %v", got, want)
			}
		})
	}
}

func checkPairs(t *testing.T, a *Args, want []argPair) {
	t.Helper()
	if a.Len() != len(want) {
		t.Fatalf("Len = %d, want %d (%q)", a.Len(), len(want), a.String())
	}
	i := 0
	for k, v := range a.All() {
		if string(k) != want[i].key || string(v) != want[i].value || a.kvs[i].noValue != want[i].noValue {
			t.Errorf("pair %d = %q=%q (no value %v), want %q=%q (no value %v)",
				i, k, v, a.kvs[i].noValue, want[i].key, want[i].value, want[i].noValue)
		}
		i++
	}
	i = 0
	a.VisitAll(func(k, v []byte) {
		if string(k) != want[i].key || string(v) != want[i].value {
			t.Errorf("VisitAll pair %d = %q=%q, want %q=%q", i, k, v, want[i].key, want[i].value)
		}
		i++
	})
	if i != len(want) {
		t.Errorf("VisitAll visited %d pairs, want %d", i, len(want))
	}
}

func TestArgsPeek(t *testing.T) {
	var a Args
	a.Parse("a=1&b=&c&a=2&n=42&neg=-1&big=99999999999999999999&x=4x")

	cases := []struct {
		key     string
		peek    string
		present bool
		multi   []string
	}{
		{"a", "1", true, []string{"1", "2"}},
		{"b", "", true, []string{""}},
		{"c", "", true, []string{""}},
		{"n", "42", true, []string{"42"}},
		{"missing", "", false, nil},
		{"A", "", false, nil},
	}
	for _, tc := range cases {
		t.Run(tc.key, func(t *testing.T) {
			v := a.Peek(tc.key)
			if (v != nil) != tc.present || string(v) != tc.peek {
				t.Errorf("Peek = %q (nil %v), want %q (present %v)", v, v == nil, tc.peek, tc.present)
			}
			if vb := a.PeekBytes([]byte(tc.key)); !bytes.Equal(vb, v) || (vb == nil) != (v == nil) {
				t.Errorf("PeekBytes = %q, Peek = %q", vb, v)
			}
			if a.Has(tc.key) != tc.present || a.HasBytes([]byte(tc.key)) != tc.present {
				t.Errorf("Has = %v, HasBytes = %v, want %v", a.Has(tc.key), a.HasBytes([]byte(tc.key)), tc.present)
			}
			multi := a.PeekMulti(tc.key)
			if len(multi) != len(tc.multi) {
				t.Fatalf("PeekMulti = %q, want %q", multi, tc.multi)
			}
			for i := range multi {
				if string(multi[i]) != tc.multi[i] {
					t.Errorf("PeekMulti[%d] = %q, want %q", i, multi[i], tc.multi[i])
				}
			}
		})
	}

	uintCases := []struct {
		key     string
		want    int
		wantErr error
	}{
		{"n", 42, nil},
		{"a", 1, nil},
		{"missing", 0, ErrNoArg},
		{"b", 0, ErrInvalidNumber},
		{"c", 0, ErrInvalidNumber},
		{"neg", 0, ErrInvalidNumber},
		{"big", 0, ErrInvalidNumber},
		{"x", 0, ErrInvalidNumber},
	}
	for _, tc := range uintCases {
		t.Run("GetUint/"+tc.key, func(t *testing.T) {
			n, err := a.GetUint(tc.key)
			if n != tc.want || !errors.Is(err, tc.wantErr) || (tc.wantErr == nil) != (err == nil) {
				t.Errorf("GetUint = %d, %v; want %d, %v", n, err, tc.want, tc.wantErr)
			}
		})
	}
}

func TestArgsChange(t *testing.T) {
	cases := []struct {
		name   string
		in     string
		change func(a *Args)
		want   string
	}{
		{"add", "a=1", func(a *Args) { a.Add("a", "2"); a.Add("b", "x y") }, "a=1&a=2&b=x+y"},
		{"add-bytes", "", func(a *Args) { a.AddBytes([]byte("k"), []byte("")) }, "k="},
		{"add-after-no-value", "a", func(a *Args) { a.Add("a", "") }, "a&a="},
		{"set-new", "a=1", func(a *Args) { a.Set("b", "2") }, "a=1&b=2"},
		{"set-replaces-all", "a=1&b=2&a=3&a=4&c=5", func(a *Args) { a.Set("a", "x") }, "a=x&b=2&c=5"},
		{"set-no-value", "a&b=1", func(a *Args) { a.Set("a", "") }, "a=&b=1"},
		{"set-bytes", "a=1", func(a *Args) { a.SetBytes([]byte("a"), []byte("2")) }, "a=2"},
		{"set-own-value", "a=1&b=2", func(a *Args) { a.SetBytes([]byte("b"), a.Peek("a")) }, "a=1&b=1"},
		{"del-all", "a=1&b=2&a=3&c=4&a=5", func(a *Args) { a.Del("a") }, "b=2&c=4"},
		{"del-missing", "a=1", func(a *Args) { a.Del("z") }, "a=1"},
		{"del-bytes", "a=1&b=2", func(a *Args) { a.DelBytes([]byte("b")) }, "a=1"},
		{"del-then-add-reuses", "a=1&b=2&c=3", func(a *Args) { a.Del("a"); a.Add("d", "4"); a.Add("e", "5") }, "b=2&c=3&d=4&e=5"},
		{"reset", "a=1", func(a *Args) { a.Reset() }, ""},
		{"reset-then-parse", "a=1&b=2", func(a *Args) { a.Reset(); a.Parse("c=3") }, "c=3"},
		{"encode", "", func(a *Args) { a.Add("k y", "v&=+/?#%\u00e9") }, "k+y=v%26%3D%2B%2F%3F%23%25%C3%A9"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var a Args
			a.Parse(tc.in)
			tc.change(&a)
			if got := a.String(); got != tc.want {
				t.Fatalf("String = %q, want %q", got, tc.want)
			}
			// Round trip through Parse.
			var b Args
			b.ParseBytes(a.QueryString())
			if got := b.String(); got != tc.want {
				t.Errorf("reparsed String = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestArgsAllBreak(t *testing.T) {
	var a Args
	a.Parse("a=1&b=2&c=3")
	n := 0
	for k := range a.All() {
		n++
		if string(k) == "b" {
			break
		}
	}
	if n != 2 {
		t.Errorf("loop ran %d times, want 2", n)
	}
}

func TestArgsOwnsMemory(t *testing.T) {
	in := []byte("a=1&b=2")
	var a Args
	a.ParseBytes(in)
	copy(in, "x=9&y=8")
	if got := a.String(); got != "a=1&b=2" {
		t.Errorf("Args changed with its input: %q", got)
	}
	k, v := []byte("k"), []byte("v")
	a.AddBytes(k, v)
	k[0], v[0] = 'X', 'X'
	if got := string(a.Peek("k")); got != "v" {
		t.Errorf(`Peek("k") = %q after changing the arguments of AddBytes`, got)
	}
}

func TestArgsCopyTo(t *testing.T) {
	var a, b Args
	a.Parse("a=1&b&a=2")
	b.Parse("z=9&y=8&x=7&w=6")
	a.CopyTo(&b)
	if b.String() != "a=1&b&a=2" {
		t.Fatalf("copy = %q", b.String())
	}
	a.Set("a", "x")
	if b.String() != "a=1&b&a=2" {
		t.Errorf("copy changed with the original: %q", b.String())
	}
	a.CopyTo(&a)
	if a.String() != "a=x&b" {
		t.Errorf("CopyTo self changed a: %q", a.String())
	}
}

func TestArgsPool(t *testing.T) {
	a := AcquireArgs()
	a.Parse("a=1")
	ReleaseArgs(a)
	a = AcquireArgs()
	defer ReleaseArgs(a)
	if a.Len() != 0 || a.Has("a") {
		t.Errorf("acquired Args is not empty: %q", a.String())
	}
}

func FuzzArgsParse(f *testing.F) {
	for _, tc := range argsParseTests {
		f.Add([]byte(tc.in))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		var a, b Args
		a.ParseBytes(in)
		enc := a.AppendBytes(nil)
		b.ParseBytes(enc)
		if a.Len() != b.Len() {
			t.Fatalf("%q: %d pairs, its encoding %q has %d", in, a.Len(), enc, b.Len())
		}
		for i := range a.kvs {
			x, y := &a.kvs[i], &b.kvs[i]
			if !bytes.Equal(x.key, y.key) || !bytes.Equal(x.value, y.value) || x.noValue != y.noValue {
				t.Fatalf("%q: pair %d %q=%q (%v), reparsed from %q as %q=%q (%v)",
					in, i, x.key, x.value, x.noValue, enc, y.key, y.value, y.noValue)
			}
			if !bytes.Equal(a.Peek(string(x.key)), a.Peek(string(y.key))) {
				t.Fatalf("%q: Peek disagrees", in)
			}
		}
		// The encoding is stable and only uses query-safe bytes.
		if again := b.AppendBytes(nil); !bytes.Equal(again, enc) {
			t.Fatalf("%q: encoding %q, then %q", in, enc, again)
		}
		for _, c := range enc {
			if !isUnreserved[c] && c != '%' && c != '+' && c != '=' && c != '&' {
				t.Fatalf("%q: encoding %q holds %q", in, enc, c)
			}
		}
	})
}

// TestArgsParseBytesLimit: past the limit, the pairs before it are kept and
// ErrTooManyArgs is returned and kept by ParseErr until the next parse.
func TestArgsParseBytesLimit(t *testing.T) {
	var a Args
	if err := a.ParseBytesLimit([]byte("a=1&&b=2&c=3&"), 3); err != nil || a.Len() != 3 || a.ParseErr() != nil {
		t.Fatalf("at the limit: %v, %d pairs", err, a.Len())
	}
	if err := a.ParseBytesLimit([]byte("a=1&b=2&c=3&d"), 3); err != ErrTooManyArgs || a.Len() != 3 || a.ParseErr() != ErrTooManyArgs {
		t.Fatalf("past the limit: %v, %d pairs, ParseErr %v", err, a.Len(), a.ParseErr())
	}
	if string(a.Peek("c")) != "3" || a.Has("d") {
		t.Fatalf("kept the wrong pairs: %s", a.String())
	}
	a.ParseBytes([]byte(strings.Repeat("a&", 5000)))
	if a.Len() != 5000 || a.ParseErr() != nil {
		t.Fatalf("ParseBytes has no limit: %d pairs, %v", a.Len(), a.ParseErr())
	}
}
