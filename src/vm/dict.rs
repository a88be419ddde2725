//! Insertion-ordered hash table behind `dict` (and module globals).
//!
//! Entries live in a dense `Vec` in insertion order; an open-addressing index
//! table maps hashes to entry positions. `keys_version` changes whenever the
//! set of keys changes (insert of a new key, delete), so `LOAD_GLOBAL` can
//! cache an entry position guarded by the version.
//!
//! Deleting a key leaves a hole in the entries (key 0) and a dummy in the
//! index (probes go on past it), so a delete costs a probe, not a shift
//! of the entries and a rebuild of the index; the next growth compacts.
//!
//! A table can be *watched* ([`Dict::watch`], like CPython's dict watchers):
//! then every rebinding, insertion or deletion of an entry is reported to
//! tier 2 (by the key's hash), which invalidates the traces that baked the
//! entry's value in.

use crate::abi::layout::kind;
use crate::vm::error::{type_error, PyResult};
use crate::vm::obj::{self, decref, float_val, incref, kind_of, tuple_items, Obj};
use crate::vm::types::*;

/// One entry: hash, owned key, owned value (the shared layout templates read).
pub type Entry = crate::abi::layout::DictEntry;

/// The index of a table without slots: one empty slot (mask 0), so a probe
/// needs no length test.
static NO_INDEX: [i32; 1] = [EMPTY];

/// The table.
///
/// Its first four fields are what [`crate::abi::layout::DictHead`]
/// describes after the object header: [`Dict::sync_view`] sets the view
/// from `index` and `entries` after every change of either (a push may move
/// the entries, a rebuild replaces the index).
#[repr(C)]
pub struct Dict {
    view_index: *const i32,
    view_mask: usize,
    view_entries: *const Entry,
    /// Non-zero once tier 2 installed a trace that depends on one of this
    /// table's entries (a global baked into a trace): every change of an
    /// entry is then reported to [`crate::vm::tier2::deps::dict_changed`].
    /// Unwatched tables pay one flag test per change.
    watched: u64,
    entries: Vec<Entry>,
    index: Vec<i32>,
    /// Live entries (`entries` minus its holes).
    used: usize,
    /// Changes whenever a key is added or removed.
    pub keys_version: u64,
}

static NEXT_VERSION: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
fn next_version() -> u64 {
    NEXT_VERSION.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

/// FNV-1a over bytes (str hashing).
fn hash_bytes(b: &[u8]) -> i64 {
    // CPython's `hash("")` is 0 whatever the hash seed.
    if b.is_empty() {
        return 0;
    }
    let mut h: u64 = 0xcbf29ce484222325;
    for &c in b {
        h ^= c as u64;
        h = h.wrapping_mul(0x100000001b3);
    }
    (h >> 1) as i64
}

/// Python `hash()` for hashable builtin values; `TypeError` for unhashable ones.
///
/// Small ints and strs whose hash is cached (the keys of hot dicts) are
/// answered inline; everything else out of line.
#[inline]
pub fn hash_value(v: u64) -> PyResult<i64> {
    if v & 1 == 1 {
        return Ok(crate::vm::num::hash_i64(
            crate::abi::value::decode_small_int(v),
        ));
    }
    if kind_of(v) == kind::STR {
        // SAFETY: kind checked.
        let h = unsafe { obj::cast::<StrObj>(v) }.hash.get();
        if h != -1 {
            return Ok(h);
        }
    }
    hash_value_general(v)
}

/// [`hash_value`] for every kind.
#[inline(never)]
fn hash_value_general(v: u64) -> PyResult<i64> {
    Ok(match kind_of(v) {
        KIND_SMALLINT => crate::vm::num::hash_i64(crate::abi::value::decode_small_int(v)),
        kind::BOOL => {
            // SAFETY: bool objects are IntObj.
            unsafe { (*(v as *const crate::abi::layout::IntObj)).value }
        }
        kind::STR => {
            // SAFETY: kind checked.
            let s = unsafe { obj::cast::<StrObj>(v) };
            let h = s.hash.get();
            if h != -1 {
                h
            } else {
                let h = hash_bytes(s.s.as_bytes());
                s.hash.set(h);
                h
            }
        }
        kind::FLOAT => {
            let f = float_val(v);
            // NaN hashes by identity, as in CPython.
            crate::vm::num::hash_f64(f).unwrap_or((v >> 4) as i64)
        }
        kind::BIGINT => {
            // SAFETY: kind checked.
            let b = unsafe { &obj::cast::<BigIntObj>(v).value };
            crate::vm::num::hash_int(b)
        }
        kind::TUPLE => {
            let items = tuple_items(v);
            let mut failed = None;
            let h = crate::vm::num::hash_tuple(
                items.len(),
                items.iter().map_while(|&it| match hash_value(it) {
                    Ok(h) => Some(h),
                    Err(e) => {
                        failed = Some(e);
                        None
                    }
                }),
            );
            if let Some(e) = failed {
                return Err(e);
            }
            h
        }
        crate::vm::types::KIND_INSTANCE | crate::vm::types::KIND_EXC => {
            return crate::vm::class::hash(v)
        }
        crate::vm::types::KIND_FROZENSET => crate::vm::set::frozenset_hash(v)?,
        kind::LIST
        | kind::DICT
        | crate::vm::types::KIND_SET
        | crate::vm::types::KIND_DEQUE
        | crate::vm::types::KIND_DEFAULTDICT
        | crate::vm::types::KIND_COUNTER => {
            return Err(type_error(format!(
                "unhashable type: '{}'",
                crate::vm::ops::type_name(v)
            )))
        }
        _ => (v >> 4) as i64,
    })
}

/// Key equality for hashable builtin values (cannot raise).
#[inline]
pub fn key_eq(a: u64, b: u64) -> bool {
    if a == b {
        return true;
    }
    // The common key kinds decided without the general comparison (the
    // same answers it gives): two different small ints differ, two strs
    // are equal when their texts are.
    if a & b & 1 == 1 {
        return false;
    }
    if kind_of(a) == kind::STR && kind_of(b) == kind::STR {
        // SAFETY: kinds checked.
        let (x, y) = unsafe { (obj::cast::<StrObj>(a), obj::cast::<StrObj>(b)) };
        let (x, y) = (x.s.as_bytes(), y.s.as_bytes());
        if x.len() != y.len() {
            return false;
        }
        return x == y;
    }
    key_eq_general(a, b)
}

/// [`key_eq`] out of line, for keys that are not the same object.
#[inline(never)]
fn key_eq_slow(a: u64, b: u64) -> bool {
    key_eq(a, b)
}

/// [`key_eq`] for every other pair of kinds.
#[cold]
#[inline(never)]
fn key_eq_general(a: u64, b: u64) -> bool {
    if crate::vm::class::either_user(a, b) {
        return crate::vm::ops::eq(a, b).unwrap_or(false);
    }
    crate::vm::ops::eq_simple(a, b).unwrap_or(false)
}

const EMPTY: i32 = -1;
/// An index slot whose entry was deleted: probes go on past it.
const DUMMY: i32 = -2;

impl Default for Dict {
    fn default() -> Dict {
        Dict::new()
    }
}

impl Dict {
    /// An empty table.
    pub fn new() -> Dict {
        Dict {
            view_index: NO_INDEX.as_ptr(),
            view_mask: 0,
            view_entries: std::ptr::null(),
            entries: Vec::new(),
            index: Vec::new(),
            used: 0,
            keys_version: next_version(),
            watched: 0,
        }
    }
    /// Makes the shared view describe `index` and `entries` again.
    #[inline(always)]
    fn sync_view(&mut self) {
        if self.index.is_empty() {
            self.view_index = NO_INDEX.as_ptr();
            self.view_mask = 0;
        } else {
            self.view_index = self.index.as_ptr();
            self.view_mask = self.index.len() - 1;
        }
        self.view_entries = self.entries.as_ptr();
    }
    /// Reports every later change of an entry to tier 2 (see the module
    /// documentation). Stays on for the table's life.
    pub fn watch(&mut self) {
        self.watched = 1;
    }
    /// Whether [`Dict::watch`] was called.
    pub fn is_watched(&self) -> bool {
        self.watched != 0
    }
    /// Tells tier 2 that the entry of `hash` (every entry for `None`) is
    /// about to change, if the table is watched.
    #[inline(always)]
    fn notify(&self, hash: Option<i64>) {
        if self.watched != 0 {
            crate::vm::tier2::deps::dict_changed(self as *const Dict as usize, hash);
        }
    }
    /// Number of entries.
    pub fn len(&self) -> usize {
        self.used
    }
    /// Whether it is empty.
    pub fn is_empty(&self) -> bool {
        self.used == 0
    }
    /// The entry positions in insertion order, with a hole (key 0) where
    /// an entry was deleted. Positions hold while `keys_version` does.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }
    /// The live entries in insertion order.
    pub fn live(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter().filter(|e| e.key != 0)
    }
    /// Mutable access to the value at entry position `i` of an unwatched
    /// table (nobody to notify); `None` if the table is watched or `i` is
    /// out of range.
    pub fn unwatched_value_slot(&mut self, i: usize) -> Option<&mut u64> {
        if self.watched != 0 {
            return None;
        }
        self.entries.get_mut(i).map(|e| &mut e.value)
    }
    /// Mutable access to the value at entry position `i`.
    pub fn value_slot(&mut self, i: usize) -> &mut u64 {
        self.notify(Some(self.entries[i].hash));
        &mut self.entries[i].value
    }

    /// The entry position of `key` (`Ok`), or the free index slot where
    /// it would go (`Err`). The probe tests identity first (small ints and
    /// the strs of the program's constants are found by it) and calls the
    /// general key equality only on a hash match.
    #[inline(always)]
    fn find(&self, hash: i64, key: u64) -> Result<usize, usize> {
        let size = self.index.len();
        if size == 0 {
            return Err(0);
        }
        let mask = size - 1;
        let mut i = (hash as u64 as usize) & mask;
        loop {
            // SAFETY: `i <= mask < index.len()`.
            let e = unsafe { *self.index.get_unchecked(i) };
            // One test on the common path: a used slot is non-negative.
            if e < 0 {
                if e == EMPTY {
                    return Err(i);
                }
            } else {
                // SAFETY: every index slot that is neither empty nor a
                // dummy holds the position of a live entry (kept so by
                // `set`, `remove` and `rebuild`).
                let en = unsafe { self.entries.get_unchecked(e as usize) };
                if en.key == key || (en.hash == hash && key_eq_slow(en.key, key)) {
                    return Ok(e as usize);
                }
            }
            i = (i + 1) & mask;
        }
    }

    /// Drops the holes and rebuilds the index for the live entries.
    fn rebuild(&mut self) {
        if self.used != self.entries.len() {
            self.entries.retain(|e| e.key != 0);
        }
        let cap = self.entries.len();
        let mut size = 8;
        while size < cap * 2 {
            size *= 2;
        }
        self.index = vec![EMPTY; size];
        let mask = size - 1;
        for (n, e) in self.entries.iter().enumerate() {
            let mut i = (e.hash as u64 as usize) & mask;
            while self.index[i] != EMPTY {
                i = (i + 1) & mask;
            }
            self.index[i] = n as i32;
        }
        self.sync_view();
    }

    /// Position of `key`, if present.
    #[inline(never)]
    pub fn lookup_pos(&self, key: u64) -> PyResult<Option<usize>> {
        let h = hash_value(key)?;
        Ok(self.find(h, key).ok())
    }

    /// Borrowed value for `key`.
    #[inline]
    pub fn get(&self, key: u64) -> PyResult<Option<u64>> {
        let h = hash_value(key)?;
        Ok(self.lookup(h, key))
    }

    /// Borrowed value for `key` of hash `hash`. The probe itself only
    /// compares identities and hashes (no call, so no register saves);
    /// a hash match of another object goes on in [`Dict::lookup_slow`].
    #[inline(never)]
    fn lookup(&self, hash: i64, key: u64) -> Option<u64> {
        let size = self.index.len();
        if size == 0 {
            return None;
        }
        let mask = size - 1;
        let mut i = (hash as u64 as usize) & mask;
        loop {
            // SAFETY: as in `find`.
            let e = unsafe { *self.index.get_unchecked(i) };
            if e < 0 {
                if e == EMPTY {
                    return None;
                }
            } else {
                // SAFETY: as in `find`.
                let en = unsafe { self.entries.get_unchecked(e as usize) };
                if en.key == key {
                    return Some(en.value);
                }
                if en.hash == hash {
                    return self.lookup_slow(hash, key);
                }
            }
            i = (i + 1) & mask;
        }
    }

    /// [`Dict::lookup`] with the general key equality.
    #[inline(never)]
    fn lookup_slow(&self, hash: i64, key: u64) -> Option<u64> {
        self.find(hash, key).ok().map(|i| self.entries[i].value)
    }

    /// Borrowed value for a str key whose hash is known.
    #[inline(never)]
    pub fn get_str(&self, key: u64) -> Option<u64> {
        let h = hash_value(key).ok()?;
        self.find(h, key).ok().map(|i| self.entries[i].value)
    }

    /// Inserts or replaces, taking ownership of `key` and `value`.
    #[inline]
    pub fn set(&mut self, key: Obj, value: Obj) -> PyResult<()> {
        self.set_pos(key, value).map(drop)
    }

    /// [`Dict::set`], answering the entry position `key` then has.
    #[inline(never)]
    pub fn set_pos(&mut self, key: Obj, value: Obj) -> PyResult<usize> {
        let h = hash_value(key.raw())?;
        match self.find(h, key.raw()) {
            Ok(i) => {
                // Rebinding to the very same object changes nothing.
                if self.entries[i].value != value.raw() {
                    self.notify(Some(h));
                }
                let old = std::mem::replace(&mut self.entries[i].value, value.into_raw());
                decref(old);
                Ok(i)
            }
            Err(slot) => {
                self.notify(Some(h));
                self.keys_version = next_version();
                self.used += 1;
                if (self.entries.len() + 1) * 3 > self.index.len() * 2 {
                    self.entries.push(Entry {
                        hash: h,
                        key: key.into_raw(),
                        value: value.into_raw(),
                    });
                    self.rebuild();
                } else {
                    self.index[slot] = self.entries.len() as i32;
                    self.entries.push(Entry {
                        hash: h,
                        key: key.into_raw(),
                        value: value.into_raw(),
                    });
                    self.sync_view();
                }
                // A rebuild drops holes before it, never after: the new
                // entry is the last.
                Ok(self.entries.len() - 1)
            }
        }
    }

    /// Rebinds the value at entry position `i` (a position of the current
    /// keys version), exactly as [`Dict::set`] rebinds an existing key.
    pub fn set_at(&mut self, i: usize, value: Obj) {
        let Some(e) = self.entries.get(i) else {
            return;
        };
        if e.value != value.raw() {
            self.notify(Some(e.hash));
        }
        let old = std::mem::replace(&mut self.entries[i].value, value.into_raw());
        decref(old);
    }

    /// Removes `key`, returning its value.
    #[inline(never)]
    pub fn remove(&mut self, key: u64) -> PyResult<Option<Obj>> {
        let h = hash_value(key)?;
        match self.find(h, key) {
            Ok(i) => {
                self.notify(Some(h));
                let slot = self.slot_of(h, i);
                self.index[slot] = DUMMY;
                let e = std::mem::replace(
                    &mut self.entries[i],
                    Entry {
                        hash: 0,
                        key: 0,
                        value: 0,
                    },
                );
                self.used -= 1;
                decref(e.key);
                self.keys_version = next_version();
                Ok(Some(Obj::from_raw(e.value)))
            }
            Err(_) => Ok(None),
        }
    }

    /// The index slot holding entry position `pos` (a live entry of hash
    /// `hash`).
    fn slot_of(&self, hash: i64, pos: usize) -> usize {
        let mask = self.index.len() - 1;
        let mut i = (hash as u64 as usize) & mask;
        while self.index[i] != pos as i32 {
            i = (i + 1) & mask;
        }
        i
    }

    /// Removes everything.
    pub fn clear(&mut self) {
        self.notify(None);
        self.release_all();
    }

    /// Removes everything without telling tier 2 (the table is being
    /// dropped: no trace can depend on it any more).
    fn release_all(&mut self) {
        let entries = std::mem::take(&mut self.entries);
        self.index.clear();
        self.used = 0;
        self.sync_view();
        self.keys_version = next_version();
        for e in entries.into_iter().filter(|e| e.key != 0) {
            decref(e.key);
            decref(e.value);
        }
    }

    /// Empties an unwatched table whose index has at most `max_index` slots
    /// for reuse by a new owner, keeping its storage (an instance dict on
    /// the instance free list); `false` (and the table unchanged) otherwise.
    /// The keys version changes, as for any removal.
    pub fn reset_for_reuse(&mut self, max_index: usize) -> bool {
        if self.watched != 0 || self.index.len() > max_index {
            return false;
        }
        let mut entries = std::mem::take(&mut self.entries);
        self.index.fill(EMPTY);
        self.used = 0;
        self.keys_version = next_version();
        for e in entries.drain(..).filter(|e| e.key != 0) {
            decref(e.key);
            decref(e.value);
        }
        self.entries = entries;
        self.sync_view();
        true
    }

    /// A copy with new references.
    pub fn copy(&self) -> Dict {
        for e in self.live() {
            incref(e.key);
            incref(e.value);
        }
        let mut d = Dict {
            entries: self.entries.clone(),
            index: self.index.clone(),
            used: self.used,
            ..Dict::new()
        };
        d.sync_view();
        d
    }
}

impl Drop for Dict {
    fn drop(&mut self) {
        self.release_all();
    }
}

/// A new empty dict object.
pub fn new_dict() -> Obj {
    Obj::from_raw(obj::box_obj(DictObj {
        ob: obj::hdr(kind::DICT),
        d: Dict::new(),
    }))
}

/// The table of a dict object.
///
/// # Safety
/// `v` must be a live dict; the reference must not outlive it nor overlap
/// another mutable borrow of the same table.
#[inline(always)]
#[allow(clippy::mut_from_ref)]
pub unsafe fn dict_mut<'a>(v: u64) -> &'a mut Dict {
    &mut obj::cast_mut::<DictObj>(v).d
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Templates read a dict through `abi::layout::DictHead`: the runtime
    /// object must have that layout and keep the view current.
    #[test]
    fn the_dict_object_starts_with_the_shared_head_and_its_view_is_current() {
        use crate::abi::layout::DictHead;
        use std::mem::offset_of;
        let d = offset_of!(DictObj, d);
        assert_eq!(offset_of!(DictObj, ob), offset_of!(DictHead, ob));
        assert_eq!(
            d + offset_of!(Dict, view_index),
            offset_of!(DictHead, index)
        );
        assert_eq!(d + offset_of!(Dict, view_mask), offset_of!(DictHead, mask));
        assert_eq!(
            d + offset_of!(Dict, view_entries),
            offset_of!(DictHead, entries)
        );
        assert_eq!(d + offset_of!(Dict, watched), offset_of!(DictHead, watched));
        let o = new_dict();
        // SAFETY: o is a live dict; the head is its prefix (checked above).
        let head = |o: &Obj| unsafe { &*(o.raw() as *const DictHead) };
        assert_eq!((head(&o).mask, unsafe { *head(&o).index }), (0, EMPTY));
        for i in 0..20 {
            // SAFETY: o is a live dict, not borrowed elsewhere.
            let t = unsafe { dict_mut(o.raw()) };
            assert!(t.set(Obj::int(i), Obj::int(i * 10)).is_ok());
            let h = head(&o);
            assert_eq!(h.mask + 1, t.index.len());
            assert_eq!(h.index, t.index.as_ptr());
            assert_eq!(h.entries, t.entries.as_ptr());
        }
        // SAFETY: as above.
        let t = unsafe { dict_mut(o.raw()) };
        t.clear();
        assert_eq!((head(&o).mask, unsafe { *head(&o).index }), (0, EMPTY));
    }

    #[test]
    fn deletes_leave_holes_that_lookups_iteration_and_growth_respect() {
        let mut d = Dict::new();
        for i in 0..50 {
            assert!(d.set(Obj::int(i), Obj::int(i)).is_ok());
        }
        for i in (0..50).filter(|i| i % 3 != 0) {
            let r = d.remove(Obj::int(i).raw());
            assert_eq!(r.ok().flatten().map(|v| v.raw()), Some(Obj::int(i).raw()));
        }
        assert_eq!(d.len(), 17);
        assert!(d.remove(Obj::int(1).raw()).ok().flatten().is_none());
        let keys: Vec<u64> = d.live().map(|e| e.key).collect();
        let want: Vec<u64> = (0..50)
            .filter(|i| i % 3 == 0)
            .map(|i| Obj::int(i).raw())
            .collect();
        assert_eq!(keys, want);
        for i in 0..50 {
            let want = (i % 3 == 0).then(|| Obj::int(i).raw());
            assert_eq!(d.get(Obj::int(i).raw()).ok().flatten(), want);
        }
        // Re-inserting and growing compacts the holes; order is insertion order.
        for i in 50..200 {
            assert!(d.set(Obj::int(i), Obj::int(i)).is_ok());
        }
        assert!(d.set(Obj::int(1), Obj::int(1)).is_ok());
        assert_eq!(d.len(), 17 + 150 + 1);
        let last = d.live().last().map(|e| e.key);
        assert_eq!(last, Some(Obj::int(1).raw()));
        assert_eq!(
            d.entries().len(),
            d.len() + d.entries().iter().filter(|e| e.key == 0).count()
        );
        let c = d.copy();
        assert_eq!(c.len(), d.len());
        assert_eq!(
            c.get(Obj::int(199).raw()).ok().flatten(),
            Some(Obj::int(199).raw())
        );
    }
    use crate::vm::obj::{new_float, new_list, new_str, true_raw};

    fn get(d: &Dict, k: u64) -> Option<u64> {
        d.get(k).ok().flatten()
    }

    #[test]
    fn one_true_and_one_point_zero_are_one_key_and_the_first_stays() {
        let mut d = Dict::new();
        assert!(d.set(Obj::int(1), Obj::int(10)).is_ok());
        let one_f = Obj::from_raw(new_float(1.0));
        assert!(d.set(one_f.clone(), Obj::int(20)).is_ok());
        assert!(d.set(Obj::new_ref(true_raw()), Obj::int(30)).is_ok());
        assert_eq!(d.len(), 1);
        assert_eq!(d.entries()[0].key, Obj::int(1).raw());
        assert_eq!(get(&d, one_f.raw()), Some(Obj::int(30).raw()));
        assert_eq!(get(&d, Obj::int(2).raw()), None);
    }

    #[test]
    fn str_keys_match_by_text_not_identity() {
        let mut d = Dict::new();
        let (a, b) = (new_str("word"), new_str("word"));
        assert_ne!(a.raw(), b.raw());
        assert!(d.set(a, Obj::int(1)).is_ok());
        assert_eq!(get(&d, b.raw()), Some(Obj::int(1).raw()));
        assert_eq!(get(&d, new_str("wore").raw()), None);
        assert_eq!(get(&d, Obj::int(1).raw()), None);
    }

    #[test]
    fn unhashable_keys_are_type_errors_in_get_and_set() {
        let mut d = Dict::new();
        let l = new_list(vec![Obj::int(1)]);
        let e = d.get(l.raw()).err().map(|e| (e.kind, e.msg));
        assert_eq!(
            e,
            Some((
                crate::vm::error::ExcKind::TypeError,
                "unhashable type: 'list'".to_string()
            ))
        );
        assert!(d.set(l, Obj::int(1)).is_err());
        assert!(d.is_empty());
    }

    #[test]
    fn set_at_rebinds_in_place_and_keeps_the_order_and_version() {
        let mut d = Dict::new();
        for (k, v) in [("a", 1), ("b", 2), ("c", 3)] {
            assert!(d.set(new_str(k), Obj::int(v)).is_ok());
        }
        let version = d.keys_version;
        d.set_at(1, Obj::int(20));
        d.set_at(7, Obj::int(70));
        let values: Vec<u64> = d.entries().iter().map(|e| e.value).collect();
        let expected: Vec<u64> = [1, 20, 3].iter().map(|&v| Obj::int(v).raw()).collect();
        assert_eq!(values, expected);
        assert_eq!(d.keys_version, version);
    }
}
