package volt

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/volthttp/volt/internal/memconn"
)

// lruText returns size bytes of text from a 16-letter alphabet, different
// for each seed: it compresses to a little over half its size, so that
// variants have sizes close to each other and known in advance.
func lruText(seed uint64, size int) string {
	r := rand.New(rand.NewPCG(seed, 0x766f6c74))
	b := make([]byte, size)
	for i := range b {
		b[i] = "etaoinshrdlucmfw"[r.IntN(16)]
	}
	return string(b)
}

// lruFixture writes the files name -> contents under a new root.
func lruFixture(t testing.TB, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(root, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// variantSize is the size of the variant FS builds of content in enc, at
// the level FS uses by default.
func variantSize(content string, enc encoding) int64 {
	aw := &appendWriter{}
	compressTo(aw, []byte(content), enc, 9)
	return int64(len(aw.b))
}

// checkVariantLRU checks the invariants of h's variant cache: the list is
// well linked, its bytes add up to size, which is within the limit, each
// listed variant is the one its entry holds, and every variant a cached
// entry holds is listed (stream variants excepted). It returns the listed
// variants, most recently used first, as "name.coding".
func checkVariantLRU(t testing.TB, h *fsHandler) []string {
	t.Helper()
	l := &h.cache.lru
	h.cache.mu.RLock()
	defer h.cache.mu.RUnlock()
	l.mu.Lock()
	defer l.mu.Unlock()
	var order []string
	listed := map[*fsVariant]bool{}
	var sum int64
	prev := &l.root
	for v := l.root.next; v != &l.root; prev, v = v, v.next {
		switch {
		case v.prev != prev:
			t.Fatalf("LRU list: broken back link at %s", v.file)
		case v.stream || v.data == nil:
			t.Fatalf("LRU list: %s.%s holds no data", v.file, encodingNames[v.enc])
		case v.owner == nil || v.owner.variants[v.enc].Load() != v:
			t.Fatalf("LRU list: %s.%s is not its entry's variant", v.file, encodingNames[v.enc])
		case v.owner.released:
			t.Fatalf("LRU list: %s.%s belongs to a released entry", v.file, encodingNames[v.enc])
		case listed[v]:
			t.Fatalf("LRU list: %s.%s listed twice", v.file, encodingNames[v.enc])
		}
		listed[v] = true
		sum += int64(len(v.data))
		order = append(order, v.file+"."+encodingNames[v.enc])
	}
	if l.root.prev != prev {
		t.Fatal("LRU list: root.prev is not the last element")
	}
	if sum != l.size || l.size > l.limit || l.size < 0 {
		t.Fatalf("LRU list: %d bytes listed, size %d, limit %d", sum, l.size, l.limit)
	}
	held := 0
	for name, e := range h.cache.m {
		for enc := range e.variants {
			v := e.variants[enc].Load()
			if v == nil || v.stream {
				continue
			}
			if !listed[v] {
				t.Fatalf("%s.%s is held by its entry but not listed", name, encodingNames[enc])
			}
			held++
		}
	}
	if held != len(listed) {
		t.Fatalf("%d variants listed, %d held by cached entries", len(listed), held)
	}
	return order
}

// getEncoded requests path with Accept-Encoding enc and checks that the
// response has that coding and decodes to want.
func getEncoded(t testing.TB, ln *memconn.Listener, method, path, enc, want string, fields ...string) *http.Response {
	t.Helper()
	resp, body := roundTrip(t, ln, request(method, path, append([]string{"Accept-Encoding: " + enc}, fields...)...))
	if resp.StatusCode == StatusNotModified {
		return resp
	}
	if resp.StatusCode != 200 || resp.Header.Get("Content-Encoding") != enc {
		t.Fatalf("%s %s (%s): %d, Content-Encoding %q", method, path, enc, resp.StatusCode, resp.Header.Get("Content-Encoding"))
	}
	if method == "HEAD" {
		if len(body) != 0 {
			t.Fatalf("HEAD %s: %d body bytes", path, len(body))
		}
		return resp
	}
	if resp.ContentLength >= 0 && resp.ContentLength != int64(len(body)) {
		t.Fatalf("%s (%s): Content-Length %d for %d bytes", path, enc, resp.ContentLength, len(body))
	}
	if got := decode(t, enc, body); string(got) != want {
		t.Fatalf("%s (%s): decoded %d bytes, not the file's %d", path, enc, len(got), len(want))
	}
	return resp
}

// TestFSCompressedCacheLRU fills the variant cache past its limit: the
// total stays within it, the variant served least recently goes first (a
// hit counts as a use), and an evicted variant is built again, alike, on
// the next request.
func TestFSCompressedCacheLRU(t *testing.T) {
	files := map[string]string{}
	var minS, maxS int64 = 1 << 62, 0
	for i := range 10 {
		name := fmt.Sprintf("f%d.txt", i)
		files[name] = lruText(uint64(i), 4000)
		s := variantSize(files[name], encGzip)
		minS, maxS = min(minS, s), max(maxS, s)
	}
	// Room for three variants, never four.
	limit := 3*maxS + maxS/2
	if 4*minS <= limit || maxS >= 4000-4000/20 {
		t.Fatalf("fixture: variants of %d to %d bytes", minS, maxS)
	}
	f := &FS{Root: lruFixture(t, files), Compress: true, CompressedCacheBytes: limit}
	ln := fsServer(t, f)
	h := f.h
	get := func(name string) *http.Response {
		t.Helper()
		resp := getEncoded(t, ln, "GET", "/"+name, "gzip", files[name])
		if got, want := resp.ContentLength, variantSize(files[name], encGzip); got != want {
			t.Fatalf("%s: %d bytes, the test expects %d", name, got, want)
		}
		return resp
	}
	etags := map[string]string{}
	for i := range 10 {
		name := fmt.Sprintf("f%d.txt", i)
		etags[name] = get(name).Header.Get("ETag")
		order := checkVariantLRU(t, h)
		if len(order) != min(i+1, 3) || order[0] != name+".gzip" {
			t.Fatalf("after %s: cached %q", name, order)
		}
	}
	if order := checkVariantLRU(t, h); !slices.Equal(order, []string{"f9.txt.gzip", "f8.txt.gzip", "f7.txt.gzip"}) {
		t.Fatalf("cached %q", order)
	}

	// A hit serves the cached variant and makes it the most recent.
	entry := func(name string) *fsEntry {
		h.cache.mu.RLock()
		defer h.cache.mu.RUnlock()
		return h.cache.m[name]
	}
	v7 := entry("f7.txt").variants[encGzip].Load()
	if get("f7.txt").Header.Get("ETag") != etags["f7.txt"] {
		t.Fatal("f7: another ETag on a hit")
	}
	if entry("f7.txt").variants[encGzip].Load() != v7 {
		t.Fatal("f7: a hit rebuilt the variant")
	}
	if order := checkVariantLRU(t, h); !slices.Equal(order, []string{"f7.txt.gzip", "f9.txt.gzip", "f8.txt.gzip"}) {
		t.Fatalf("after the hit on f7: %q", order)
	}

	// A new variant evicts f8, the least recently served, not f7.
	get("f0.txt")
	if order := checkVariantLRU(t, h); !slices.Equal(order, []string{"f0.txt.gzip", "f7.txt.gzip", "f9.txt.gzip"}) {
		t.Fatalf("after f0: %q", order)
	}
	if entry("f8.txt").variants[encGzip].Load() != nil {
		t.Fatal("f8: the entry still holds its evicted variant")
	}

	// f8 is built again: the same bytes (get decodes them), the same tag.
	if tag := get("f8.txt").Header.Get("ETag"); tag != etags["f8.txt"] {
		t.Fatalf("f8 rebuilt with ETag %s, was %s", tag, etags["f8.txt"])
	}
	if r, _ := roundTrip(t, ln, request("GET", "/f8.txt", "Accept-Encoding: gzip", "If-None-Match: "+etags["f8.txt"])); r.StatusCode != 304 {
		t.Fatalf("If-None-Match on the rebuilt f8: %d", r.StatusCode)
	}
	if order := checkVariantLRU(t, h); !slices.Equal(order, []string{"f8.txt.gzip", "f0.txt.gzip", "f7.txt.gzip"}) {
		t.Fatalf("after f8 again: %q", order)
	}

	// Variants of other codings of the same file share the budget.
	getEncoded(t, ln, "GET", "/f8.txt", "br", files["f8.txt"])
	order := checkVariantLRU(t, h)
	if order[0] != "f8.txt.br" || len(order) > 3 || !slices.Contains(order, "f8.txt.gzip") {
		t.Fatalf("after f8 in br: %q", order)
	}
}

// TestFSCompressedCacheOversize: a variant larger than the whole budget
// is served, correctly, without being cached and without evicting
// others; later requests get the file compressed for them (a stream
// variant, with a weak ETag). With a negative budget nothing is cached.
func TestFSCompressedCacheOversize(t *testing.T) {
	files := map[string]string{
		"s0.txt":  lruText(100, 4000),
		"s1.txt":  lruText(101, 4000),
		"s2.txt":  lruText(102, 4000),
		"mid.txt": lruText(103, 16<<10),                // kept in memory
		"big.txt": lruText(104, fsSmallFileSize+4<<10), // read from the file
	}
	var maxS int64
	for _, name := range []string{"s0.txt", "s1.txt", "s2.txt"} {
		maxS = max(maxS, variantSize(files[name], encGzip))
	}
	limit := 3*maxS + 100
	if variantSize(files["mid.txt"], encBrotli) <= limit {
		t.Fatalf("fixture: mid.txt fits in %d bytes", limit)
	}
	for _, tc := range []struct {
		name   string
		budget int64
		cached []string
	}{
		{"small-budget", limit, []string{"s2.txt.gzip", "s1.txt.gzip", "s0.txt.gzip"}},
		{"no-cache", -1, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &FS{Root: lruFixture(t, files), Compress: true, CompressedCacheBytes: tc.budget}
			ln := fsServer(t, f)
			for _, name := range []string{"s0.txt", "s1.txt", "s2.txt"} {
				getEncoded(t, ln, "GET", "/"+name, "gzip", files[name])
			}
			for _, path := range []string{"/mid.txt", "/big.txt", "/s0.txt"} {
				want := files[path[1:]]
				for _, enc := range []string{"br", "zstd", "gzip", "deflate"} {
					if path == "/s0.txt" && (enc == "gzip" || tc.budget > 0) {
						continue // fits
					}
					first := getEncoded(t, ln, "GET", path, enc, want)
					tag := first.Header.Get("ETag")
					if strings.HasPrefix(tag, "W/") || !strings.HasSuffix(tag, "-"+enc+`"`) {
						t.Fatalf("%s %s: first ETag %s", path, enc, tag)
					}
					// A later request: compressed for it.
					again := getEncoded(t, ln, "GET", path, enc, want)
					if got := again.Header.Get("ETag"); got != "W/"+tag {
						t.Fatalf("%s %s: stream ETag %s, want W/%s", path, enc, got, tag)
					}
					if inMemory := path != "/big.txt"; inMemory != (again.ContentLength >= 0) {
						t.Fatalf("%s %s: Content-Length %d", path, enc, again.ContentLength)
					}
					head := getEncoded(t, ln, "HEAD", path, enc, want)
					if head.Header.Get("ETag") != "W/"+tag {
						t.Fatalf("HEAD %s %s: %v", path, enc, head.Header)
					}
					for _, inm := range []string{tag, "W/" + tag} {
						if r := getEncoded(t, ln, "GET", path, enc, want, "If-None-Match: "+inm); r.StatusCode != 304 {
							t.Fatalf("%s %s: If-None-Match %s: %d", path, enc, inm, r.StatusCode)
						}
					}
					// A weak tag never matches If-Match (strong comparison).
					if r, _ := roundTrip(t, ln, request("GET", path, "Accept-Encoding: "+enc, "If-Match: "+tag)); r.StatusCode != 412 {
						t.Fatalf("%s %s: If-Match %s: %d", path, enc, tag, r.StatusCode)
					}
				}
			}
			if order := checkVariantLRU(t, f.h); !slices.Equal(order, tc.cached) {
				t.Fatalf("cached %q, want %q", order, tc.cached)
			}
		})
	}
}

// TestFSCompressedCacheRelease: the variants of an entry that leaves the
// cache (its file changed) no longer count against the budget.
func TestFSCompressedCacheRelease(t *testing.T) {
	files := map[string]string{"a.txt": lruText(1, 4000), "b.txt": lruText(2, 4000)}
	f := &FS{Root: lruFixture(t, files), Compress: true, CacheDuration: -1}
	ln := fsServer(t, f)
	getEncoded(t, ln, "GET", "/a.txt", "gzip", files["a.txt"])
	getEncoded(t, ln, "GET", "/a.txt", "br", files["a.txt"])
	getEncoded(t, ln, "GET", "/b.txt", "gzip", files["b.txt"])
	if order := checkVariantLRU(t, f.h); len(order) != 3 {
		t.Fatalf("cached %q", order)
	}
	newA := lruText(3, 4000)
	writeFile(t, f.Root, "a.txt", newA)
	chtimes(t, f.Root, "a.txt", time.Now().Add(time.Minute))
	if _, body := roundTrip(t, ln, request("GET", "/a.txt")); string(body) != newA {
		t.Fatal("a.txt: old bytes after the rewrite")
	}
	f.h.cache.lru.mu.Lock()
	size := f.h.cache.lru.size
	f.h.cache.lru.mu.Unlock()
	if order := checkVariantLRU(t, f.h); !slices.Equal(order, []string{"b.txt.gzip"}) || size != variantSize(files["b.txt"], encGzip) {
		t.Fatalf("after a.txt changed: cached %q, %d bytes", order, size)
	}
	getEncoded(t, ln, "GET", "/a.txt", "gzip", newA)
}

// TestFSCompressedCacheConcurrent serves many files in every coding from
// several goroutines, with a budget of a few variants and a file
// rewritten meanwhile, while another goroutine samples the cache: the
// total never passes the limit and every response decodes to its file.
// Run it with -race.
func TestFSCompressedCacheConcurrent(t *testing.T) {
	const nFiles = 12
	files := map[string]string{}
	var maxS int64
	for i := range nFiles {
		name := fmt.Sprintf("f%d.txt", i)
		files[name] = lruText(uint64(i), 4000)
		for enc := encBrotli; enc < numEncodings; enc++ {
			maxS = max(maxS, variantSize(files[name], enc))
		}
	}
	altF0 := lruText(99, 4000)
	limit := 5 * maxS
	f := &FS{Root: lruFixture(t, files), Compress: true, CompressedCacheBytes: limit, CacheDuration: -1}
	ln := fsServer(t, f)
	l := &f.h.cache.lru

	var stop atomic.Bool
	var wg, bg sync.WaitGroup
	// The rewriter swaps f0.txt between two contents, by rename, so that a
	// reader sees one or the other whole.
	bg.Add(2)
	go func() {
		defer bg.Done()
		for i := 0; !stop.Load(); i++ {
			content := files["f0.txt"]
			if i%2 == 0 {
				content = altF0
			}
			tmp := filepath.Join(f.Root, ".tmp")
			if err := os.WriteFile(tmp, []byte(content), 0o644); err != nil {
				t.Error(err)
				return
			}
			mt := time.Now().Add(time.Duration(i) * time.Second)
			os.Chtimes(tmp, mt, mt)
			if err := os.Rename(tmp, filepath.Join(f.Root, "f0.txt")); err != nil {
				t.Error(err)
				return
			}
			time.Sleep(2 * time.Millisecond)
		}
	}()
	var samples, maxSeen int64
	go func() {
		defer bg.Done()
		for !stop.Load() {
			l.mu.Lock()
			size := l.size
			l.mu.Unlock()
			if size > limit || size < 0 {
				t.Errorf("variant cache holds %d bytes, limit %d", size, limit)
				return
			}
			samples++
			maxSeen = max(maxSeen, size)
			time.Sleep(100 * time.Microsecond)
		}
	}()
	encs := []string{"br", "zstd", "gzip", "deflate"}
	var served atomic.Int64
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(w), 1))
			for range 40 {
				name := fmt.Sprintf("f%d.txt", r.IntN(nFiles))
				enc := encs[r.IntN(len(encs))]
				if err := fetchDecoded(ln, name, enc, files[name], altF0); err != nil {
					t.Error(err)
					return
				}
				served.Add(1)
			}
		}()
	}
	wg.Wait()
	stop.Store(true)
	bg.Wait()
	if t.Failed() {
		return
	}
	if served.Load() != 4*40 || samples == 0 || maxSeen == 0 {
		t.Fatalf("%d requests served, %d samples, largest %d bytes", served.Load(), samples, maxSeen)
	}
	t.Logf("%d samples of the cache size, largest %d of %d bytes", samples, maxSeen, limit)
	checkVariantLRU(t, f.h)
}

// fetchDecoded gets name in coding enc on a connection of its own and
// checks that it decodes to want (or, for f0.txt, to alt), for use from
// goroutines other than the test's.
func fetchDecoded(ln *memconn.Listener, name, enc, want, alt string) error {
	c, err := ln.Dial()
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(30 * time.Second))
	if _, err := io.WriteString(c, request("GET", "/"+name, "Accept-Encoding: "+enc)); err != nil {
		return err
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		return err
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	got := resp.Header.Get("Content-Encoding")
	if resp.StatusCode != 200 || got != enc {
		return fmt.Errorf("%s (%s): %d, Content-Encoding %q", name, enc, resp.StatusCode, got)
	}
	plain, err := decodeBytes(enc, body)
	if err != nil {
		return fmt.Errorf("%s: %v", name, err)
	}
	if string(plain) != want && (name != "f0.txt" || string(plain) != alt) {
		return fmt.Errorf("%s (%s): decoded %d bytes, not the file", name, enc, len(plain))
	}
	return nil
}
