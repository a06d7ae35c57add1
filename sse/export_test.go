package sse

// Test hooks.

// setTopicHook makes Serve and Publish call f with the topic they are
// about to use, before they lock it: a test drops the topic there to
// reproduce a subscriber joining, or an event published to, a topic that
// is being removed.
func (b *Broker) setTopicHook(f func(t *topic)) { b.testHookTopic = f }

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
