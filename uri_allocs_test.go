//go:build !race

package volt

import "testing"

func TestURIParseAllocs(t *testing.T) {
	host := []byte("example.com")
	target := []byte("/api/v1/users/42?sort=name&limit=10")
	var u URI
	n := testing.AllocsPerRun(100, func() {
		if err := u.Parse(host, target, false); err != nil {
			t.Fatal(err)
		}
		if string(u.Path()) != "/api/v1/users/42" {
			t.Fatalf("Path = %q", u.Path())
		}
		if string(u.QueryArgs().Peek("limit")) != "10" {
			t.Fatalf("limit = %q", u.QueryArgs().Peek("limit"))
		}
	})
	if n != 0 {
		t.Fatalf("expected 0 allocations, got %f", n)
	}
}

func TestURIRequestURIAllocs(t *testing.T) {
	host := []byte("example.com")
	target := []byte("http://example.com/a/../b%20c?x=1")
	var u URI
	n := testing.AllocsPerRun(100, func() {
		if err := u.Parse(host, target, false); err != nil {
			t.Fatal(err)
		}
		u.SetPathBytes(u.Path())
		u.QueryArgs().Set("y", "2")
		if string(u.FullURI()) != "http://example.com/b%20c?x=1&y=2" {
			t.Fatalf("FullURI = %q", u.FullURI())
		}
	})
	if n != 0 {
		t.Fatalf("expected 0 allocations, got %f", n)
	}
}
