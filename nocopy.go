package volt

// noCopy is embedded (as a field named noCopy) in every type that must not
// be copied after first use, such as the pooled URI and Args. It has Lock
// and Unlock methods so that go vet's copylocks check reports copies.
// See https://golang.org/issues/8005#issuecomment-190753527
type noCopy struct{}

// Lock is a no-op used by go vet's copylocks check.
func (*noCopy) Lock() {}

// Unlock is a no-op used by go vet's copylocks check.
func (*noCopy) Unlock() {}
