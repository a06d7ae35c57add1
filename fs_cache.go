package volt

import (
	"hash/fnv"
	"io"
	"io/fs"
	"os"
	"path"
	"sync"
	"sync/atomic"
	"time"
)

// fsVariant is one representation of a file: the file itself (identity),
// a variant FS compressed, or a precompressed sibling. Its fields other
// than the links are immutable once it is published.
type fsVariant struct {
	enc     encoding
	data    []byte    // the bytes, or nil to read them from file
	file    string    // the name of the file holding them
	size    int64     // -1 for a stream variant
	modTime time.Time // of file, checked when it is opened
	etag    []byte    // a strong entity-tag, quoted; weak for a stream variant

	// stream marks a variant too large for the variant cache: file is
	// compressed anew for each response, and data is nil.
	stream bool

	// The links of a variant FS compressed into fsVariantLRU's list, and
	// the entry holding it; guarded by fsVariantLRU.mu, nil while the
	// variant is not in the list.
	prev, next *fsVariant
	owner      *fsEntry
}

// fsEntry is what FS caches about one path. It is immutable once in the
// cache, apart from the atomic fields and the compressed variants, which
// are built under mu.
type fsEntry struct {
	name    string // the fs.FS name, the cache key
	isDir   bool
	index   []byte // for a directory: the name of its index file, or nil
	info    fs.FileInfo
	size    int64
	modTime time.Time

	lastModified []byte // IMF-fixdate, or nil when the file has no time
	contentType  []byte
	compressible bool

	identity fsVariant
	// siblings are the precompressed files beside this one, by coding;
	// their stats detect changes.
	siblings    [numEncodings]*fsVariant
	siblingSet  encodingSet
	siblingInfo [numEncodings]fs.FileInfo

	mu sync.Mutex // serialises the building of variants
	// variants are the variants FS compressed, each linked into the
	// handler's fsVariantLRU, or stream variants, which are not; nil
	// until built and after an eviction.
	variants [numEncodings]atomic.Pointer[fsVariant]
	noGain   atomic.Uint32 // encodingSet of codings that did not shrink the file
	released bool          // the entry left the cache; guarded by fsVariantLRU.mu

	checked  atomic.Int64 // when the file was last stat'ed, UnixNano
	lastUsed atomic.Int64 // UnixNano, to the second
}

// siblingExt are the suffixes of precompressed siblings, by coding.
var siblingExt = [numEncodings]string{encBrotli: ".br", encZstd: ".zst", encGzip: ".gz"}

// fsCache maps fs.FS names to entries, and holds the compressed variants
// of the entries in an LRU list. An entry that leaves the map is released
// from the list.
type fsCache struct {
	mu        sync.RWMutex
	m         map[string]*fsEntry
	lastSweep int64

	lru fsVariantLRU
}

func (c *fsCache) drop(e *fsEntry) {
	c.mu.Lock()
	if c.m[e.name] == e {
		delete(c.m, e.name)
	}
	c.mu.Unlock()
	c.lru.release(e)
}

// lookup returns the entry of name, from the cache while it is fresh or
// unchanged on disk, else built anew.
func (h *fsHandler) lookup(name []byte, now time.Time) (*fsEntry, error) {
	nowN := now.UnixNano()
	h.cache.mu.RLock()
	e := h.cache.m[string(name)]
	h.cache.mu.RUnlock()
	if e != nil && (nowN-e.checked.Load() < int64(h.expiry) || h.unchanged(e, nowN)) {
		if nowN-e.lastUsed.Load() > int64(time.Second) {
			e.lastUsed.Store(nowN)
		}
		return e, nil
	}
	ne, err := h.build(string(name))
	if err != nil {
		if e != nil {
			h.cache.drop(e)
		}
		return nil, err
	}
	ne.checked.Store(nowN)
	ne.lastUsed.Store(nowN)
	keep := max(h.expiry, time.Second)
	h.cache.mu.Lock()
	if old := h.cache.m[ne.name]; old != nil {
		h.cache.lru.release(old)
	}
	h.cache.m[ne.name] = ne
	if nowN-h.cache.lastSweep > int64(keep) {
		h.cache.lastSweep = nowN
		for k, old := range h.cache.m {
			if nowN-old.lastUsed.Load() > int64(keep) {
				delete(h.cache.m, k)
				h.cache.lru.release(old)
			}
		}
	}
	h.cache.mu.Unlock()
	return ne, nil
}

// unchanged stats e's file and its siblings, and reports whether they
// are as cached; if so, e is fresh again.
func (h *fsHandler) unchanged(e *fsEntry, nowN int64) bool {
	fsys, err := h.files()
	if err != nil {
		return false
	}
	st, err := fs.Stat(fsys, e.name)
	if err != nil || !sameStat(e.info, st) {
		return false
	}
	if e.compressible {
		for enc := encIdentity + 1; enc < numEncodings; enc++ {
			if siblingExt[enc] == "" {
				continue
			}
			st, err := fs.Stat(fsys, e.name+siblingExt[enc])
			was := e.siblingInfo[enc]
			if (err == nil && st.Mode().IsRegular()) != (was != nil) || was != nil && !sameStat(was, st) {
				return false
			}
		}
	}
	e.checked.Store(nowN)
	return true
}

// sameStat reports whether two stats describe the same, unchanged file.
func sameStat(a, b fs.FileInfo) bool {
	if a.IsDir() != b.IsDir() || a.Size() != b.Size() || !a.ModTime().Equal(b.ModTime()) || a.Mode() != b.Mode() {
		return false
	}
	// os.SameFile compares device and inode, for stats from the os package
	// only (it is false for an fs.FS of another kind).
	return !os.SameFile(a, a) || os.SameFile(a, b)
}

// build reads what FS caches about name.
func (h *fsHandler) build(name string) (*fsEntry, error) {
	fsys, err := h.files()
	if err != nil {
		return nil, err
	}
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	e := &fsEntry{name: name, info: st, isDir: st.IsDir(), size: st.Size(), modTime: st.ModTime()}
	if e.isDir {
		for _, idx := range h.indexNames {
			n := path.Join(name, idx)
			if ist, err := fs.Stat(fsys, n); err == nil && ist.Mode().IsRegular() {
				e.index = []byte(n)
				break
			}
		}
		return e, nil
	}
	if !st.Mode().IsRegular() {
		return nil, fs.ErrNotExist // devices, sockets, pipes
	}
	var data []byte
	if e.size <= fsSmallFileSize {
		data = make([]byte, e.size)
		n, err := io.ReadFull(f, data)
		if err != nil && err != io.ErrUnexpectedEOF {
			return nil, err
		}
		data = data[:n]
		e.size = int64(n)
	}
	e.contentType = contentTypeOf(name, data, f)
	if !e.modTime.IsZero() {
		e.lastModified = e.modTime.UTC().AppendFormat(nil, TimeFormat)
	}
	e.identity = fsVariant{enc: encIdentity, data: data, file: name, size: e.size, modTime: e.modTime}
	e.identity.etag = e.makeETag(fsys, name, encIdentity, e.size, e.modTime, data)
	if h.compress != nil && h.compress.compressible(e.contentType) {
		e.compressible = true
		h.findSiblings(fsys, e)
	}
	return e, nil
}

// makeETag returns `"size-mtime"` in hex, with "-coding" for a variant;
// a file without a time (embed.FS) gets a hash of its bytes instead.
func (e *fsEntry) makeETag(fsys fs.FS, file string, enc encoding, size int64, mod time.Time, data []byte) []byte {
	tag := []byte{'"'}
	tag = appendHex64(tag, uint64(size))
	tag = append(tag, '-')
	if mod.IsZero() {
		hs := fnv.New64a()
		if data != nil {
			hs.Write(data)
		} else if f, err := fsys.Open(file); err == nil {
			_, _ = io.Copy(hs, f)
			_ = f.Close()
		}
		tag = appendHex64(tag, hs.Sum64())
	} else {
		tag = appendHex64(tag, uint64(mod.UnixNano()))
	}
	if enc != encIdentity {
		tag = append(append(tag, '-'), encodingNames[enc]...)
	}
	return append(tag, '"')
}

func appendHex64(dst []byte, v uint64) []byte {
	const digits = "0123456789abcdef"
	var b [16]byte
	i := len(b)
	for {
		i--
		b[i] = digits[v&15]
		v >>= 4
		if v == 0 {
			break
		}
	}
	return append(dst, b[i:]...)
}

// findSiblings records the precompressed siblings of e.
func (h *fsHandler) findSiblings(fsys fs.FS, e *fsEntry) {
	for enc := encIdentity + 1; enc < numEncodings; enc++ {
		if siblingExt[enc] == "" {
			continue
		}
		n := e.name + siblingExt[enc]
		f, err := fsys.Open(n)
		if err != nil {
			continue
		}
		st, err := f.Stat()
		if err != nil || !st.Mode().IsRegular() {
			_ = f.Close()
			continue
		}
		e.siblingInfo[enc] = st
		if !h.compress.offered.has(enc) {
			_ = f.Close()
			continue
		}
		v := &fsVariant{enc: enc, file: n, size: st.Size(), modTime: st.ModTime()}
		if v.size <= fsSmallFileSize {
			data := make([]byte, v.size)
			if _, err := io.ReadFull(f, data); err != nil {
				_ = f.Close()
				continue
			}
			v.data = data
		}
		_ = f.Close()
		v.etag = e.makeETag(fsys, n, enc, v.size, v.modTime, v.data)
		e.siblings[enc] = v
		e.siblingSet |= 1 << enc
	}
}

// offered returns the codings e can be served in.
func (e *fsEntry) offered(h *fsHandler) encodingSet {
	set := e.siblingSet
	if h.maxCompress >= 0 && e.size <= h.maxCompress && e.size >= int64(h.compress.minSize) {
		set |= h.compress.offered
	}
	return set &^ encodingSet(e.noGain.Load())
}

// variant returns e's representation in coding enc: a precompressed
// sibling, the file compressed once and cached, or, when the compressed
// file is too large for the variant cache, a stream variant (compressed
// for each response; the request that finds it too large is served the
// bytes it compressed). It returns nil when compressing does not make the
// file smaller. A cache hit allocates nothing.
func (h *fsHandler) variant(e *fsEntry, enc encoding) *fsVariant {
	if v := e.siblings[enc]; v != nil {
		return v
	}
	if v := e.variants[enc].Load(); v != nil {
		if !v.stream {
			h.cache.lru.touch(v)
		}
		return v
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if v := e.variants[enc].Load(); v != nil {
		if !v.stream {
			h.cache.lru.touch(v)
		}
		return v
	}
	data := e.identity.data
	if data == nil {
		f, ok := h.openVariant(e, &e.identity)
		if !ok {
			return nil
		}
		data = make([]byte, e.size)
		_, err := io.ReadFull(f, data)
		_ = f.Close()
		if err != nil {
			return nil
		}
	}
	aw := &appendWriter{b: make([]byte, 0, len(data)/3+64)}
	compressTo(aw, data, enc, h.compress.level)
	out := aw.b
	if len(out) >= len(data)-len(data)/20 { // less than 5% saved
		for {
			old := e.noGain.Load()
			if e.noGain.CompareAndSwap(old, old|1<<enc) {
				break
			}
		}
		return nil
	}
	if cap(out)-len(out) > len(out)/8 {
		// Keep no more than the cache counts.
		out = append(make([]byte, 0, len(out)), out...)
	}
	out = out[:len(out):len(out)]
	v := &fsVariant{enc: enc, data: out, file: e.name, size: int64(len(out)), modTime: e.modTime}
	v.etag = e.makeETag(nil, "", enc, e.size, e.modTime, data)
	if !h.cache.lru.fits(v.size) {
		// The compressing level and the chunking of a stream variant differ
		// from v's: its bytes do, and its entity-tag is weak.
		sv := &fsVariant{enc: enc, file: e.name, size: -1, modTime: e.modTime, stream: true}
		sv.etag = append(append(make([]byte, 0, len(v.etag)+2), 'W', '/'), v.etag...)
		e.variants[enc].Store(sv)
		return v
	}
	h.cache.lru.add(e, v) // false when e left the cache: v is served uncached
	return v
}
