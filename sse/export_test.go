package sse

// Test hooks.

// setJoinHook makes Serve call f with the topic it is about to join,
// before it locks it: a test drops the topic there to reproduce a
// subscriber joining a topic that is being removed.
func (b *Broker) setJoinHook(f func(t *topic)) { b.testHookJoin = f }

// replayTo returns a stream (without a connection) with cfg's limits that
// got topic's replay for lastID, as Serve queues it.
func (b *Broker) replayTo(topicName, lastID string, cfg *StreamConfig) *Stream {
	s := newStream(nil, cfg)
	t := b.topic(topicName)
	t.mu.Lock()
	t.replay(s, []byte(lastID))
	t.mu.Unlock()
	return s
}
