package setting

import (
	"testing"
	"time"
)

func TestOrNone(t *testing.T) {
	for _, tc := range []struct{ v, def, want time.Duration }{
		{0, time.Minute, time.Minute},
		{-1, time.Minute, 0},
		{-time.Hour, time.Minute, 0},
		{time.Second, time.Minute, time.Second},
	} {
		if got := OrNone(tc.v, tc.def); got != tc.want {
			t.Errorf("OrNone(%v, %v) = %v, want %v", tc.v, tc.def, got, tc.want)
		}
	}
	if got := OrNone(0, 1000); got != 1000 {
		t.Errorf("int default: %d", got)
	}
}
