//go:build !race

package volt

import "testing"

func TestCookieAllocs(t *testing.T) {
	t.Run("AppendBytes", func(t *testing.T) {
		var c Cookie
		setFullCookie(&c)
		buf := make([]byte, 0, 256)
		n := testing.AllocsPerRun(100, func() {
			buf = c.AppendBytes(buf[:0])
		})
		if n != 0 {
			t.Fatalf("expected 0 allocations, got %f", n)
		}
		if string(buf) != fullSetCookie {
			t.Fatalf("AppendBytes = %q", buf)
		}
	})
	t.Run("Cookie", func(t *testing.T) {
		var c Cookie
		setFullCookie(&c)
		_ = c.Cookie()
		n := testing.AllocsPerRun(100, func() {
			_ = c.Cookie()
		})
		if n != 0 {
			t.Fatalf("expected 0 allocations, got %f", n)
		}
	})
	t.Run("ParseBytes", func(t *testing.T) {
		var c Cookie
		src := []byte(fullSetCookie)
		var err error
		n := testing.AllocsPerRun(100, func() {
			err = c.ParseBytes(src)
		})
		if err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Fatalf("expected 0 allocations, got %f", n)
		}
	})
	t.Run("peekCookie", func(t *testing.T) {
		header := []byte(fullCookieHeader)
		var v []byte
		n := testing.AllocsPerRun(100, func() {
			v = peekCookie(header, "csrftoken")
		})
		if n != 0 {
			t.Fatalf("expected 0 allocations, got %f", n)
		}
		if string(v) != "Zm9vYmFyYmF6" {
			t.Fatalf("peekCookie = %q", v)
		}
	})
	t.Run("visitCookies", func(t *testing.T) {
		header := []byte(fullCookieHeader)
		count := 0
		n := testing.AllocsPerRun(100, func() {
			visitCookies(header, func(name, value []byte) { count++ })
		})
		if n != 0 {
			t.Fatalf("expected 0 allocations, got %f", n)
		}
	})
}
