// Package setting reads the configuration fields of volt's packages that
// follow one rule: zero means the default, a negative value means "none".
package setting

// OrNone returns v when it is positive, def when it is zero, and 0 (none)
// when it is negative.
func OrNone[T ~int | ~int64](v, def T) T {
	switch {
	case v < 0:
		return 0
	case v > 0:
		return v
	}
	return def
}
