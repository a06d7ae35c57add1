package volt

import "testing"

// setTestHooks installs h until the test ends. The servers the test
// started must be closed first: cleanups run in reverse order, so call it
// before starting them.
func setTestHooks(t testing.TB, h *testHooks) {
	t.Helper()
	testHooksPtr.Store(h)
	t.Cleanup(func() { testHooksPtr.Store(nil) })
}
