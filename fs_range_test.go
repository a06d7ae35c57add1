package volt

import (
	"io"
	"mime"
	"mime/multipart"
	"strconv"
	"strings"
	"testing"
	"time"
)

// rangeCases are Range values of RFC 9110 section 14.1.2 against a
// 100-byte representation.
var rangeCases = []struct {
	name, v string
	want    []byteRange
	status  int
}{
	{"first-last", "bytes=0-9", []byteRange{{0, 10}}, rangeOK},
	{"one-byte", "bytes=5-5", []byteRange{{5, 1}}, rangeOK},
	{"open-ended", "bytes=90-", []byteRange{{90, 10}}, rangeOK},
	{"last-past-end", "bytes=90-1000", []byteRange{{90, 10}}, rangeOK},
	{"suffix", "bytes=-10", []byteRange{{90, 10}}, rangeOK},
	{"suffix-longer-than-file", "bytes=-500", []byteRange{{0, 100}}, rangeOK},
	{"whole", "bytes=0-", []byteRange{{0, 100}}, rangeOK},
	{"two", "bytes=0-9, 20-29", []byteRange{{0, 10}, {20, 10}}, rangeOK},
	{"three-with-suffix", "bytes=0-0,50-59,-1", []byteRange{{0, 1}, {50, 10}, {99, 1}}, rangeOK},
	{"unit-case-insensitive", "Bytes=0-9", []byteRange{{0, 10}}, rangeOK},
	{"OWS-and-empty-elements", "bytes= 0-9 , ,20-29", []byteRange{{0, 10}, {20, 10}}, rangeOK},
	{"some-unsatisfiable", "bytes=0-9,200-300", []byteRange{{0, 10}}, rangeOK},
	{"first-pos-at-end", "bytes=100-", nil, rangeUnsatisfiable},
	{"first-pos-past-end", "bytes=200-300", nil, rangeUnsatisfiable},
	{"zero-suffix", "bytes=-0", nil, rangeUnsatisfiable},
	{"all-unsatisfiable", "bytes=100-,-0", nil, rangeUnsatisfiable},
	{"last-before-first", "bytes=9-0", nil, rangeIgnore},
	{"other-unit", "items=0-9", nil, rangeIgnore},
	{"no-equals", "bytes 0-9", nil, rangeIgnore},
	{"no-dash", "bytes=5", nil, rangeIgnore},
	{"not-a-number", "bytes=a-9", nil, rangeIgnore},
	{"negative", "bytes=-5-9", nil, rangeIgnore},
	{"empty-set", "bytes=", nil, rangeIgnore},
	{"overflow", "bytes=0-99999999999999999999", nil, rangeIgnore},
	{"one-bad-spec-spoils-all", "bytes=0-9,x", nil, rangeIgnore},
	{"overlapping-over-size", "bytes=0-99,0-99", nil, rangeIgnore},
	{"too-many", "bytes=" + strings.Repeat("0-0,", 17), nil, rangeIgnore},
}

func TestParseRange(t *testing.T) {
	for _, tc := range rangeCases {
		t.Run(tc.name, func(t *testing.T) {
			got, st := parseRange([]byte(tc.v), 100, nil)
			if st != tc.status || len(got) != len(tc.want) {
				t.Fatalf("parseRange(%q) = %v, %d; want %v, %d", tc.v, got, st, tc.want, tc.status)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("parseRange(%q) = %v; want %v", tc.v, got, tc.want)
				}
			}
		})
	}
}

// TestFSRanges checks 206, multipart/byteranges, 416 and the ignored
// forms on a file held in memory and on one sent from disk.
func TestFSRanges(t *testing.T) {
	root, _ := fsFixture(t)
	ln := fsServer(t, &FS{Root: root, AcceptByteRange: true})
	for _, file := range []struct{ path, body, ct string }{
		{"/page.html", textBody, "text/html; charset=utf-8"},
		{"/big.txt", bigText, "text/plain; charset=utf-8"},
	} {
		size := len(file.body)
		t.Run(file.path[1:]+"/single", func(t *testing.T) {
			for _, tc := range []struct {
				r          string
				start, end int
			}{{"bytes=0-9", 0, 9}, {"bytes=100-", 100, size - 1}, {"bytes=-7", size - 7, size - 1}, {"bytes=10-10", 10, 10}} {
				resp, body := roundTrip(t, ln, request("GET", file.path, "Range: "+tc.r))
				want := file.body[tc.start : tc.end+1]
				cr := "bytes " + strconv.Itoa(tc.start) + "-" + strconv.Itoa(tc.end) + "/" + strconv.Itoa(size)
				if resp.StatusCode != 206 || string(body) != want || resp.Header.Get("Content-Range") != cr ||
					resp.ContentLength != int64(len(want)) || resp.Header.Get("Content-Type") != file.ct {
					t.Fatalf("%s: %d %v %q", tc.r, resp.StatusCode, resp.Header, body[:min(20, len(body))])
				}
			}
		})
		t.Run(file.path[1:]+"/multiple", func(t *testing.T) {
			resp, body := roundTrip(t, ln, request("GET", file.path, "Range: bytes=0-4, 10-19, -3"))
			mt, params, err := mime.ParseMediaType(resp.Header.Get("Content-Type"))
			if resp.StatusCode != 206 || err != nil || mt != "multipart/byteranges" || resp.ContentLength != int64(len(body)) {
				t.Fatalf("%d %v %v", resp.StatusCode, resp.Header, err)
			}
			mr := multipart.NewReader(strings.NewReader(string(body)), params["boundary"])
			want := []struct{ cr, body string }{
				{"bytes 0-4/" + strconv.Itoa(size), file.body[:5]},
				{"bytes 10-19/" + strconv.Itoa(size), file.body[10:20]},
				{"bytes " + strconv.Itoa(size-3) + "-" + strconv.Itoa(size-1) + "/" + strconv.Itoa(size), file.body[size-3:]},
			}
			for i, w := range want {
				p, err := mr.NextPart()
				if err != nil {
					t.Fatalf("part %d: %v", i, err)
				}
				b, _ := io.ReadAll(p)
				if p.Header.Get("Content-Range") != w.cr || p.Header.Get("Content-Type") != file.ct || string(b) != w.body {
					t.Fatalf("part %d: %v %q", i, p.Header, b)
				}
			}
			if _, err := mr.NextPart(); err != io.EOF {
				t.Fatalf("after the parts: %v", err)
			}
			// HEAD announces the same length.
			head, _ := roundTrip(t, ln, request("HEAD", file.path, "Range: bytes=0-4, 10-19, -3"))
			if head.StatusCode != 200 {
				t.Fatalf("HEAD with Range: %d (Range is for GET only)", head.StatusCode)
			}
		})
		t.Run(file.path[1:]+"/unsatisfiable", func(t *testing.T) {
			resp, _ := roundTrip(t, ln, request("GET", file.path, "Range: bytes="+strconv.Itoa(size)+"-"))
			if resp.StatusCode != 416 || resp.Header.Get("Content-Range") != "bytes */"+strconv.Itoa(size) {
				t.Fatalf("%d %v", resp.StatusCode, resp.Header)
			}
		})
		t.Run(file.path[1:]+"/ignored", func(t *testing.T) {
			for _, r := range []string{"bytes=5-1", "lines=1-2", "bytes=x", "bytes=0-" + strconv.Itoa(size-1) + ",0-5"} {
				resp, body := roundTrip(t, ln, request("GET", file.path, "Range: "+r))
				if resp.StatusCode != 200 || string(body) != file.body || resp.Header.Get("Accept-Ranges") != "bytes" {
					t.Fatalf("%s: %d", r, resp.StatusCode)
				}
			}
		})
	}
	t.Run("off", func(t *testing.T) {
		ln := fsServer(t, &FS{Root: root})
		resp, body := roundTrip(t, ln, request("GET", "/page.html", "Range: bytes=0-9"))
		if resp.StatusCode != 200 || len(body) != len(textBody) || resp.Header.Get("Accept-Ranges") != "" {
			t.Fatalf("AcceptByteRange off: %d", resp.StatusCode)
		}
	})
	t.Run("empty-file", func(t *testing.T) {
		writeFile(t, root, "zero.txt", "")
		resp, body := roundTrip(t, ln, request("GET", "/zero.txt", "Range: bytes=0-9"))
		if resp.StatusCode != 200 || len(body) != 0 {
			t.Fatalf("%d %q", resp.StatusCode, body)
		}
	})
}

// TestFSIfRange: RFC 9110 section 13.1.5.
func TestFSIfRange(t *testing.T) {
	root, _ := fsFixture(t)
	old := time.Now().Add(-time.Hour).Truncate(time.Second)
	chtimes(t, root, "page.html", old)
	ln := fsServer(t, &FS{Root: root, AcceptByteRange: true})
	full, _ := roundTrip(t, ln, request("GET", "/page.html"))
	etag, lm := full.Header.Get("ETag"), full.Header.Get("Last-Modified")
	for _, tc := range []struct {
		name, ifRange string
		status        int
	}{
		{"etag-matches", etag, 206},
		{"etag-differs", `"other"`, 200},
		{"weak-etag-never-matches", "W/" + etag, 200},
		{"date-matches", lm, 206},
		{"date-differs", old.Add(-time.Second).UTC().Format(TimeFormat), 200},
		{"date-later", old.Add(time.Second).UTC().Format(TimeFormat), 200},
		{"garbage", "yesterday", 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, _ := roundTrip(t, ln, request("GET", "/page.html", "Range: bytes=0-9", "If-Range: "+tc.ifRange))
			if resp.StatusCode != tc.status {
				t.Fatalf("If-Range %q: %d, want %d", tc.ifRange, resp.StatusCode, tc.status)
			}
		})
	}
	// A file changed within the last second has a weak Last-Modified.
	writeFile(t, root, "fresh.txt", textBody)
	fresh, _ := roundTrip(t, ln, request("GET", "/fresh.txt"))
	if resp, _ := roundTrip(t, ln, request("GET", "/fresh.txt", "Range: bytes=0-9", "If-Range: "+fresh.Header.Get("Last-Modified"))); resp.StatusCode != 200 {
		t.Fatalf("If-Range with a weak date: %d", resp.StatusCode)
	}
}

// FuzzParseRange checks parseRange's invariants on any Range value: every
// range lies inside the representation, they add up to at most its size,
// there are at most maxRanges, and an OK outcome has at least one.
func FuzzParseRange(f *testing.F) {
	for _, tc := range rangeCases {
		f.Add(tc.v, int64(100))
	}
	f.Fuzz(func(t *testing.T, v string, size int64) {
		if size <= 0 {
			return
		}
		got, st := parseRange([]byte(v), size, nil)
		var total int64
		for _, r := range got {
			if r.start < 0 || r.length <= 0 || r.start+r.length > size {
				t.Fatalf("parseRange(%q, %d): range %v out of bounds", v, size, r)
			}
			total += r.length
		}
		if total > size || len(got) > maxRanges || (st == rangeOK) != (len(got) > 0) {
			t.Fatalf("parseRange(%q, %d) = %v, %d", v, size, got, st)
		}
	})
}
