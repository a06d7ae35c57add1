package volt

import (
	"strings"
	"testing"
)

// negotiateCases are the Accept-Encoding values of RFC 9110 section
// 12.5.3 and the coding volt picks among all four it offers.
var negotiateCases = []struct {
	name, ae string
	want     encoding
}{
	{"absent", "", encIdentity},
	{"empty", " ", encIdentity},
	{"gzip", "gzip", encGzip},
	{"x-gzip", "x-gzip", encGzip},
	{"case-insensitive", "GZip", encGzip},
	{"browser", "gzip, deflate, br, zstd", encBrotli},
	{"server-order-tie", "deflate, gzip", encGzip},
	{"server-order-tie-zstd", "gzip, zstd", encZstd},
	{"q-wins", "br;q=0.5, gzip", encGzip},
	{"q-wins-3-digits", "br;q=0.801, gzip;q=0.8", encBrotli},
	{"q-spaces", "br ; q=0.1 , gzip ;q=0.2", encGzip},
	{"q-upper-Q", "br;Q=0.1, gzip", encGzip},
	{"q0-excludes", "gzip;q=0, deflate", encDeflate},
	{"all-excluded", "gzip;q=0, br;q=0", encIdentity},
	{"star", "*", encBrotli},
	{"star-excludes-listed-wins", "*;q=0, gzip", encGzip},
	{"star-with-exclusion", "*, br;q=0", encZstd},
	{"star-low-gzip-high", "*;q=0.1, gzip;q=0.9", encGzip},
	{"identity-preferred", "gzip;q=0.5, identity", encIdentity},
	{"identity-tie-goes-to-coding", "gzip, identity", encGzip},
	{"identity-q0", "identity;q=0", encIdentity},
	{"identity-q0-gzip", "identity;q=0, gzip;q=0.1", encGzip},
	{"star-q0-disregarded", "*;q=0", encIdentity},
	{"unknown-only", "compress, exi", encIdentity},
	{"unknown-and-gzip", "compress;q=1, gzip;q=0.2", encGzip},
	{"bad-q-ignored", "br;q=2, gzip", encGzip},
	{"bad-q-too-many-digits", "br;q=0.1234, gzip;q=0.1", encGzip},
	{"bad-q-1.5", "br;q=1.5", encIdentity},
	{"q-1.000", "br;q=1.000", encBrotli},
	{"q-1.001-bad", "br;q=1.001, deflate", encDeflate},
	{"other-params", "gzip;level=9;q=0.9, deflate;q=0.8", encGzip},
	{"empty-members", ",, gzip ,,", encGzip},
	{"first-listing-counts", "gzip;q=0, gzip;q=1", encIdentity},
}

func TestNegotiateEncoding(t *testing.T) {
	for _, tc := range negotiateCases {
		t.Run(tc.name, func(t *testing.T) {
			var ae []byte
			if tc.ae != "" {
				ae = []byte(tc.ae)
			}
			if got := negotiateEncoding(ae, allEncodings); got != tc.want {
				t.Fatalf("negotiateEncoding(%q) = %s, want %s", tc.ae, encodingNames[got], encodingNames[tc.want])
			}
		})
	}
}

// acceptEncodingLineCases are Accept-Encoding fields sent over several
// field lines, which mean the same as one line with the values joined by
// commas (RFC 9110 section 5.3), and the coding volt picks among all four
// it offers. As on one line, the first listing of a coding counts. Each
// case gives another answer when only the first line is read, or when a
// later line overrides an earlier one.
var acceptEncodingLineCases = []struct {
	name  string
	lines []string
	want  encoding
}{
	{"identity-q0-then-gzip", []string{"identity;q=0", "gzip"}, encGzip},
	{"q-on-second-line-wins", []string{"br;q=0.5", "gzip"}, encGzip},
	{"unknown-then-zstd", []string{"compress", "zstd"}, encZstd},
	{"gzip-then-gzip-q0", []string{"gzip", "gzip;q=0"}, encGzip},
	{"gzip-q0-then-gzip", []string{"gzip;q=0, deflate;q=0.1", "gzip"}, encDeflate},
	{"star-then-exclusion", []string{"*", "br;q=0"}, encZstd},
	{"exclusions-then-star", []string{"br;q=0, zstd;q=0", "*;q=0.5"}, encGzip},
	{"identity-on-second-line", []string{"gzip;q=0.5", "identity"}, encIdentity},
	{"empty-first-line", []string{"", "deflate"}, encDeflate},
	{"three-lines", []string{"deflate;q=0.2", "gzip;q=0.3", "br;q=0.4"}, encBrotli},
}

// acceptEncodingLines returns the field lines of a case, the later ones
// with the name in lower case (names are case-insensitive).
func acceptEncodingLines(lines []string) []string {
	fields := make([]string, len(lines))
	for i, v := range lines {
		name := "Accept-Encoding: "
		if i > 0 {
			name = "accept-encoding: "
		}
		fields[i] = name + v
	}
	return fields
}

// TestNegotiateEncodingFieldLines: RFC 9110 section 5.3, every
// Accept-Encoding line counts, as if joined with commas.
func TestNegotiateEncodingFieldLines(t *testing.T) {
	for _, tc := range acceptEncodingLineCases {
		t.Run(tc.name, func(t *testing.T) {
			var h RequestHeader
			for _, f := range acceptEncodingLines(tc.lines) {
				k, v, _ := strings.Cut(f, ": ")
				h.Add(k, v)
			}
			got := negotiateRequestEncoding(&h, allEncodings)
			if got != tc.want {
				t.Fatalf("lines %q: %s, want %s", tc.lines, encodingNames[got], encodingNames[tc.want])
			}
			if joined := negotiateEncoding([]byte(strings.Join(tc.lines, ",")), allEncodings); joined != got {
				t.Fatalf("lines %q: %s, joined: %s", tc.lines, encodingNames[got], encodingNames[joined])
			}
			// The case must tell this reading from reading the first line
			// only, or from letting a later line override an earlier one.
			first := negotiateEncoding([]byte(tc.lines[0]), allEncodings)
			var rev RequestHeader
			for i := len(tc.lines) - 1; i >= 0; i-- {
				rev.Add(HeaderAcceptEncoding, tc.lines[i])
			}
			if last := negotiateRequestEncoding(&rev, allEncodings); first == tc.want && last == tc.want {
				t.Fatalf("lines %q: the first line alone, and the lines reversed, give %s too", tc.lines, encodingNames[first])
			}
		})
	}
	// One line, or none, is read as before.
	for _, tc := range negotiateCases {
		var h RequestHeader
		if tc.ae != "" {
			h.Add(HeaderAcceptEncoding, tc.ae)
		}
		h.Add("Accept-Language", "gzip") // another field is not read
		if got := negotiateRequestEncoding(&h, allEncodings); got != tc.want {
			t.Errorf("%s: %q gives %s, want %s", tc.name, tc.ae, encodingNames[got], encodingNames[tc.want])
		}
	}
}

func TestNegotiateEncodingOffered(t *testing.T) {
	gzipOnly := encodingSet(1 << encGzip)
	for _, tc := range []struct {
		ae   string
		want encoding
	}{
		{"br, gzip;q=0.1", encGzip},
		{"br", encIdentity},
		{"*", encGzip},
	} {
		if got := negotiateEncoding([]byte(tc.ae), gzipOnly); got != tc.want {
			t.Errorf("%q offering gzip: %s, want %s", tc.ae, encodingNames[got], encodingNames[tc.want])
		}
	}
}

func TestParseQValue(t *testing.T) {
	for in, want := range map[string]int{"0": 0, "1": 1000, "0.5": 500, "0.05": 50, "0.001": 1, "1.0": 1000, "0.": 0, "1.": 1000} {
		if got, ok := parseQValue([]byte(in)); !ok || got != want {
			t.Errorf("parseQValue(%q) = %d, %v; want %d", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "2", "0.1234", "1.1", "-0", ".5", "0,5", "1.0000"} {
		if _, ok := parseQValue([]byte(in)); ok {
			t.Errorf("parseQValue(%q) accepted", in)
		}
	}
}

// FuzzNegotiateEncoding: any Accept-Encoding value gives identity or an
// offered coding, and never one the value excludes with q=0.
func FuzzNegotiateEncoding(f *testing.F) {
	for _, tc := range negotiateCases {
		f.Add(tc.ae, uint8(allEncodings))
	}
	f.Fuzz(func(t *testing.T, ae string, offered uint8) {
		set := encodingSet(offered) & allEncodings
		got := negotiateEncoding([]byte(ae), set)
		if got != encIdentity && !set.has(got) {
			t.Fatalf("negotiateEncoding(%q, %b) = %s, not offered", ae, set, encodingNames[got])
		}
		// Split over two field lines at a comma, the value means the same.
		if i := strings.IndexByte(ae, ','); i >= 0 {
			var h RequestHeader
			h.fields.addCopy([]byte(HeaderAcceptEncoding), []byte(ae[:i]))
			h.fields.addCopy([]byte("ACCEPT-ENCODING"), []byte(ae[i+1:]))
			if split := negotiateRequestEncoding(&h, set); split != got {
				t.Fatalf("negotiateEncoding(%q) = %s, but %s over the lines %q and %q",
					ae, encodingNames[got], encodingNames[split], ae[:i], ae[i+1:])
			}
		}
		// The same value with the chosen coding excluded up front must not
		// choose it again (the first listing of a coding counts).
		if got != encIdentity {
			if again := negotiateEncoding([]byte(encodingNames[got]+";q=0,"+ae), set); again == got {
				t.Fatalf("negotiateEncoding(%q) chose %s despite q=0", ae, encodingNames[got])
			}
		}
	})
}
