//go:build !unix

package bench

import "errors"

// RaiseFileLimit is not supported on this system.
func RaiseFileLimit() (uint64, error) {
	return 0, errors.New("bench: RaiseFileLimit needs a unix system")
}
