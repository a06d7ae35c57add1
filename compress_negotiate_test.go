package volt

import "testing"

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
		// The same value with the chosen coding excluded up front must not
		// choose it again (the first listing of a coding counts).
		if got != encIdentity {
			if again := negotiateEncoding([]byte(encodingNames[got]+";q=0,"+ae), set); again == got {
				t.Fatalf("negotiateEncoding(%q) chose %s despite q=0", ae, encodingNames[got])
			}
		}
	})
}
