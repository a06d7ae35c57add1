package volt

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestFSCacheInvalidation rewrites files after they were cached and
// compressed, and checks that the new bytes come back, in every
// representation, once the entry expired.
func TestFSCacheInvalidation(t *testing.T) {
	for _, expiry := range []time.Duration{-1, 50 * time.Millisecond} {
		t.Run(expiry.String(), func(t *testing.T) {
			root, _ := fsFixture(t)
			ln := fsServer(t, &FS{Root: root, Compress: true, CacheDuration: expiry})
			get := func(path, ae string) (string, string, string) {
				t.Helper()
				var fields []string
				if ae != "" {
					fields = append(fields, "Accept-Encoding: "+ae)
				}
				resp, body := roundTrip(t, ln, request("GET", path, fields...))
				enc := resp.Header.Get("Content-Encoding")
				return string(decode(t, enc, body)), enc, resp.Header.Get("ETag")
			}
			for _, f := range []struct{ name, old string }{{"page.html", textBody}, {"big.txt", bigText}} {
				path := "/" + f.name
				_, _, oldTag := get(path, "")
				for _, enc := range []string{"", "gzip", "br"} {
					if body, got, _ := get(path, enc); body != f.old || got != enc {
						t.Fatalf("%s %q before: %d bytes, %q", path, enc, len(body), got)
					}
				}
				// Same size, new bytes: only the time (and the bytes) tell.
				newBody := strings.ToUpper(f.old)
				writeFile(t, root, f.name, newBody)
				chtimes(t, root, f.name, time.Now().Add(time.Minute))
				time.Sleep(max(expiry, 0) * 2)
				for _, enc := range []string{"", "gzip", "br"} {
					body, got, tag := get(path, enc)
					if body != newBody || got != enc {
						t.Fatalf("%s %q after the rewrite: old bytes (%d, %q)", path, enc, len(body), got)
					}
					if tag == oldTag {
						t.Fatalf("%s: ETag unchanged", path)
					}
				}
			}
		})
	}
}

// TestFSPrecompressed: file.br, file.zst and file.gz beside a file are
// sent as they are to the clients that accept them, and are noticed when
// they appear or go.
func TestFSPrecompressed(t *testing.T) {
	root, _ := fsFixture(t)
	// The siblings hold other text than the file, to tell them apart.
	for enc, ext := range map[string]string{"br": ".br", "zstd": ".zst", "gzip": ".gz"} {
		os.WriteFile(filepath.Join(root, "page.html"+ext), encode(t, enc, []byte("precompressed "+enc)), 0o644)
	}
	ln := fsServer(t, &FS{Root: root, Compress: true, CacheDuration: -1})
	for _, enc := range []string{"br", "zstd", "gzip"} {
		resp, body := roundTrip(t, ln, request("GET", "/page.html", "Accept-Encoding: "+enc))
		if resp.Header.Get("Content-Encoding") != enc || string(decode(t, enc, body)) != "precompressed "+enc ||
			resp.Header.Get("Content-Type") != "text/html; charset=utf-8" || resp.Header.Get("Vary") != "Accept-Encoding" {
			t.Fatalf("%s: %v %q", enc, resp.Header, body)
		}
	}
	// deflate has no sibling: FS compresses the file itself.
	resp, body := roundTrip(t, ln, request("GET", "/page.html", "Accept-Encoding: deflate"))
	if resp.Header.Get("Content-Encoding") != "deflate" || string(decode(t, "deflate", body)) != textBody {
		t.Fatalf("deflate: %v", resp.Header)
	}
	// Siblings only: MaxCompressSize < 0.
	ln2 := fsServer(t, &FS{Root: root, Compress: true, MaxCompressSize: -1, CacheDuration: -1})
	if resp, _ := roundTrip(t, ln2, request("GET", "/page.html", "Accept-Encoding: deflate")); resp.Header.Get("Content-Encoding") != "" {
		t.Fatalf("MaxCompressSize -1 compressed: %v", resp.Header)
	}
	if resp, _ := roundTrip(t, ln2, request("GET", "/page.html", "Accept-Encoding: gzip")); resp.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("MaxCompressSize -1 without the sibling: %v", resp.Header)
	}
	// A sibling that goes away is noticed; one that appears too.
	os.Remove(filepath.Join(root, "page.html.br"))
	resp, body = roundTrip(t, ln, request("GET", "/page.html", "Accept-Encoding: br"))
	if string(decode(t, resp.Header.Get("Content-Encoding"), body)) != textBody {
		t.Fatalf("after removing page.html.br: %q", body)
	}
	os.WriteFile(filepath.Join(root, "hello.txt.gz"), encode(t, "gzip", []byte("new sibling")), 0o644)
	resp, body = roundTrip(t, ln, request("GET", "/hello.txt", "Accept-Encoding: gzip"))
	if resp.Header.Get("Content-Encoding") != "gzip" || string(decode(t, "gzip", body)) != "new sibling" {
		t.Fatalf("new sibling: %v %q", resp.Header, body)
	}
	// The sibling itself is an ordinary file when asked for by name.
	resp, _ = roundTrip(t, ln, request("GET", "/page.html.gz"))
	if resp.Header.Get("Content-Encoding") != "" || resp.Header.Get("Content-Type") != "application/gzip" {
		t.Fatalf("page.html.gz by name: %v", resp.Header)
	}
}

// TestFSCacheSweep: entries unused for the cache duration are dropped,
// and their compressed variants with them.
func TestFSCacheSweep(t *testing.T) {
	root, _ := fsFixture(t)
	f := &FS{Root: root, CacheDuration: time.Millisecond, Compress: true}
	ln := fsServer(t, f)
	roundTrip(t, ln, request("GET", "/hello.txt"))
	getEncoded(t, ln, "GET", "/page.html", "gzip", textBody)
	if order := checkVariantLRU(t, f.h); len(order) != 1 {
		t.Fatalf("cached variants %q", order)
	}
	time.Sleep(1100 * time.Millisecond) // entries are kept at least a second
	roundTrip(t, ln, request("GET", "/README"))
	f.h.cache.mu.RLock()
	n := len(f.h.cache.m)
	f.h.cache.mu.RUnlock()
	if n != 1 {
		t.Fatalf("%d entries cached, want 1", n)
	}
	if order := checkVariantLRU(t, f.h); len(order) != 0 { // and so 0 bytes
		t.Fatalf("after the sweep: cached variants %q", order)
	}
}

// TestFSLargeFileChangedBeforeExpiry: a large file is opened for each
// request, and checked against its cache entry then; a change is served
// at once, whatever the cache duration.
func TestFSLargeFileChangedBeforeExpiry(t *testing.T) {
	root, _ := fsFixture(t)
	ln := fsServer(t, &FS{Root: root, CacheDuration: time.Hour, AcceptByteRange: true})
	if _, body := roundTrip(t, ln, request("GET", "/big.txt")); string(body) != bigText {
		t.Fatal("first read")
	}
	newText := strings.ToUpper(bigText) + "more"
	writeFile(t, root, "big.txt", newText)
	if resp, body := roundTrip(t, ln, request("GET", "/big.txt")); string(body) != newText || resp.ContentLength != int64(len(newText)) {
		t.Fatalf("after the rewrite: %d bytes", len(body))
	}
	if _, body := roundTrip(t, ln, request("GET", "/big.txt", "Range: bytes=-4")); string(body) != "more" {
		t.Fatalf("range after the rewrite: %q", body)
	}
}
