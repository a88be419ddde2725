//! Insertion-ordered hash table behind `dict` (and module globals).
//!
//! Entries live in a dense `Vec` in insertion order; an open-addressing index
//! table maps hashes to entry positions. `keys_version` changes whenever the
//! set of keys changes (insert of a new key, delete), so `LOAD_GLOBAL` can
//! cache an entry position guarded by the version.
//!
//! A table can be *watched* ([`Dict::watch`], like CPython's dict watchers):
//! then every rebinding, insertion or deletion of an entry is reported to
//! tier 2 (by the key's hash), which invalidates the traces that baked the
//! entry's value in.

use crate::abi::layout::kind;
use crate::vm::error::{type_error, PyResult};
use crate::vm::obj::{self, decref, float_val, incref, kind_of, tuple_items, Obj};
use crate::vm::types::*;

/// One entry: hash, owned key, owned value.
#[derive(Clone, Copy)]
pub struct Entry {
    /// The key's hash.
    pub hash: i64,
    /// Owned key.
    pub key: u64,
    /// Owned value.
    pub value: u64,
}

/// The table.
#[derive(Default)]
pub struct Dict {
    entries: Vec<Entry>,
    index: Vec<i32>,
    /// Changes whenever a key is added or removed.
    pub keys_version: u64,
    /// Set once tier 2 installed a trace that depends on one of this
    /// table's entries (a global baked into a trace): every change of an
    /// entry is then reported to [`crate::vm::tier2::deps::dict_changed`].
    /// Unwatched tables pay one flag test per change.
    watched: bool,
}

static NEXT_VERSION: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
fn next_version() -> u64 {
    NEXT_VERSION.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

/// FNV-1a over bytes (str hashing).
fn hash_bytes(b: &[u8]) -> i64 {
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
            let mut h: i64 = 0x345678;
            for &it in tuple_items(v) {
                h = (h ^ hash_value(it)?).wrapping_mul(1000003);
            }
            h
        }
        kind::LIST | kind::DICT => {
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
    crate::vm::ops::eq_simple(a, b).unwrap_or(false)
}

const EMPTY: i32 = -1;

impl Dict {
    /// An empty table.
    pub fn new() -> Dict {
        Dict {
            entries: Vec::new(),
            index: Vec::new(),
            keys_version: next_version(),
            watched: false,
        }
    }
    /// Reports every later change of an entry to tier 2 (see the module
    /// documentation). Stays on for the table's life.
    pub fn watch(&mut self) {
        self.watched = true;
    }
    /// Whether [`Dict::watch`] was called.
    pub fn is_watched(&self) -> bool {
        self.watched
    }
    /// Tells tier 2 that the entry of `hash` (every entry for `None`) is
    /// about to change, if the table is watched.
    #[inline(always)]
    fn notify(&self, hash: Option<i64>) {
        if self.watched {
            crate::vm::tier2::deps::dict_changed(self as *const Dict as usize, hash);
        }
    }
    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }
    /// Whether it is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
    /// The entries in insertion order.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
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
            if e == EMPTY {
                return Err(i);
            }
            // SAFETY: every non-empty index slot holds a position in
            // `entries` (kept so by `set`, `remove` and `rebuild`).
            let en = unsafe { self.entries.get_unchecked(e as usize) };
            if en.key == key || (en.hash == hash && key_eq_slow(en.key, key)) {
                return Ok(e as usize);
            }
            i = (i + 1) & mask;
        }
    }

    fn rebuild(&mut self, cap: usize) {
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
            if e == EMPTY {
                return None;
            }
            // SAFETY: as in `find`.
            let en = unsafe { self.entries.get_unchecked(e as usize) };
            if en.key == key {
                return Some(en.value);
            }
            if en.hash == hash {
                return self.lookup_slow(hash, key);
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
    #[inline(never)]
    pub fn set(&mut self, key: Obj, value: Obj) -> PyResult<()> {
        let h = hash_value(key.raw())?;
        match self.find(h, key.raw()) {
            Ok(i) => {
                // Rebinding to the very same object changes nothing.
                if self.entries[i].value != value.raw() {
                    self.notify(Some(h));
                }
                let old = std::mem::replace(&mut self.entries[i].value, value.into_raw());
                decref(old);
            }
            Err(slot) => {
                self.notify(Some(h));
                self.keys_version = next_version();
                if (self.entries.len() + 1) * 3 > self.index.len() * 2 {
                    self.entries.push(Entry {
                        hash: h,
                        key: key.into_raw(),
                        value: value.into_raw(),
                    });
                    let n = self.entries.len();
                    self.rebuild(n);
                } else {
                    self.index[slot] = self.entries.len() as i32;
                    self.entries.push(Entry {
                        hash: h,
                        key: key.into_raw(),
                        value: value.into_raw(),
                    });
                }
            }
        }
        Ok(())
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
                let e = self.entries.remove(i);
                decref(e.key);
                self.keys_version = next_version();
                let n = self.entries.len();
                self.rebuild(n);
                Ok(Some(Obj::from_raw(e.value)))
            }
            Err(_) => Ok(None),
        }
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
        self.keys_version = next_version();
        for e in entries {
            decref(e.key);
            decref(e.value);
        }
    }

    /// A copy with new references.
    pub fn copy(&self) -> Dict {
        for e in &self.entries {
            incref(e.key);
            incref(e.value);
        }
        Dict {
            entries: self.entries.clone(),
            index: self.index.clone(),
            keys_version: next_version(),
            watched: false,
        }
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
