package http2

import "testing"

// priorityFieldCases are Priority Field Values (RFC 9218 section 4) and
// their parse.
var priorityFieldCases = []struct {
	in          string
	urgency     uint8
	incremental bool
	ok          bool
}{
	{"", 3, false, true},
	{"   ", 3, false, true},
	{"u=5", 5, false, true},
	{"u=0, i", 0, true, true},
	{"i", 3, true, true},
	{"i=?1", 3, true, true},
	{"i=?0", 3, false, true},
	{"u=7,i=?1", 7, true, true},
	{"  u=1 ,\ti  ", 1, true, true},
	{"u=1, u=6", 6, false, true},                 // the last member wins
	{"i, i=?0", 3, false, true},                  // the last member wins
	{"u=2, u=9", 3, false, true},                 // the last u is out of range: ignored
	{"u=8", 3, false, true},                      // out of range
	{"u=-1", 3, false, true},                     // out of range
	{"u=1.5", 3, false, true},                    // a Decimal, not an Integer
	{"u=\"1\"", 3, false, true},                  // a String
	{"u=?1", 3, false, true},                     // a Boolean
	{"u", 3, false, true},                        // true, not an Integer
	{"i=1", 3, false, true},                      // an Integer, not a Boolean
	{"i=tok", 3, false, true},                    // a Token
	{"u=(1 2)", 3, false, true},                  // an Inner List
	{"u=2;x=1, i;y", 2, true, true},              // parameters are ignored
	{"foo=bar, u=4, baz=:aGk=:", 4, false, true}, // unknown keys
	{"u=1, x=\"a\\\"b\", y=@1700000000, z=%\"caf%c3%a9\", w=(a \"b\";p 3);q", 1, false, true},
	{"*a=1, a.b_c-d*=2, u=0", 0, false, true},
	{"u=1,", 3, false, false},               // trailing comma
	{",u=1", 3, false, false},               // leading comma
	{"u=1 i", 3, false, false},              // missing comma
	{"U=1", 3, false, false},                // keys are lower case
	{"u=", 3, false, false},                 // missing value
	{"u=1;", 3, false, false},               // empty parameter key
	{"u=1234567890123456", 3, false, false}, // 16 digits
	{"u=1.2345", 3, false, false},           // 4 fraction digits
	{"u=1.", 3, false, false},               // no fraction digits
	{"x=\"abc", 3, false, false},            // unterminated String
	{"x=\"a\\b\"", 3, false, false},         // bad escape
	{"x=:abc", 3, false, false},             // unterminated Byte Sequence
	{"x=?2", 3, false, false},               // bad Boolean
	{"x=(1 2", 3, false, false},             // unterminated Inner List
	{"x=(1,2)", 3, false, false},            // bad Inner List separator
	{"x=%\"%C3\"", 3, false, false},         // upper-case hex in a Display String
	{"x=@1.5", 3, false, false},             // a Date is an Integer
	{"u=1\x00", 3, false, false},            // control byte
	{"\tu=1", 3, false, false},              // leading tab (only SP is discarded)
}

func TestRFC9218_4_ParsePriorityField(t *testing.T) {
	for _, tc := range priorityFieldCases {
		u, i, ok := ParsePriorityField([]byte(tc.in))
		if u != tc.urgency || i != tc.incremental || ok != tc.ok {
			t.Errorf("ParsePriorityField(%q) = %d, %v, %v; want %d, %v, %v", tc.in, u, i, ok, tc.urgency, tc.incremental, tc.ok)
		}
	}
}

func FuzzParsePriorityField(f *testing.F) {
	for _, tc := range priorityFieldCases {
		f.Add([]byte(tc.in))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		u, i, ok := ParsePriorityField(b)
		if u > 7 {
			t.Fatalf("urgency %d", u)
		}
		if !ok && (u != DefaultUrgency || i != DefaultIncremental) {
			t.Fatalf("malformed input gave %d, %v", u, i)
		}
	})
}
