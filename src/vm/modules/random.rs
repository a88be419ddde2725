//! `random`: CPython's Mersenne Twister (`_randommodule.c`) and the
//! algorithms of `Lib/random.py` (3.11) over it, so a seeded program draws
//! exactly CPython's numbers.

use super::{functions_module, integer, real};
use crate::abi::layout::kind;
use crate::vm::builtins::len_of;
use crate::vm::error::{err, index_error, type_error, value_error, ExcKind, PyResult};
use crate::vm::interp::Vm;
use crate::vm::obj::*;
use crate::vm::ops::{self, as_i64, str_of, type_name};
use crate::vm::types::*;
use num_bigint::{BigInt, Sign};
use num_traits::{Signed, ToPrimitive};
use std::cell::RefCell;

const N: usize = 624;
const M: usize = 397;

/// The generator's state (`RandomObject`), plus `Random.gauss_next`.
struct Mt {
    state: [u32; N],
    index: usize,
    gauss_next: Option<f64>,
}

impl Mt {
    fn init_genrand(&mut self, s: u32) {
        self.state[0] = s;
        for i in 1..N {
            let p = self.state[i - 1];
            self.state[i] = 1_812_433_253u32
                .wrapping_mul(p ^ (p >> 30))
                .wrapping_add(i as u32);
        }
        self.index = N;
    }

    fn init_by_array(&mut self, key: &[u32]) {
        self.init_genrand(19_650_218);
        let (mut i, mut j) = (1usize, 0usize);
        let mt = &mut self.state;
        for _ in 0..N.max(key.len()) {
            let p = mt[i - 1];
            mt[i] = (mt[i] ^ (p ^ (p >> 30)).wrapping_mul(1_664_525))
                .wrapping_add(key[j])
                .wrapping_add(j as u32);
            i += 1;
            j += 1;
            if i >= N {
                mt[0] = mt[N - 1];
                i = 1;
            }
            if j >= key.len() {
                j = 0;
            }
        }
        for _ in 0..N - 1 {
            let p = mt[i - 1];
            mt[i] = (mt[i] ^ (p ^ (p >> 30)).wrapping_mul(1_566_083_941)).wrapping_sub(i as u32);
            i += 1;
            if i >= N {
                mt[0] = mt[N - 1];
                i = 1;
            }
        }
        mt[0] = 0x8000_0000;
    }

    fn genrand_u32(&mut self) -> u32 {
        const MAG01: [u32; 2] = [0, 0x9908_b0df];
        const UPPER: u32 = 0x8000_0000;
        const LOWER: u32 = 0x7fff_ffff;
        if self.index >= N {
            let mt = &mut self.state;
            for kk in 0..N - M {
                let y = (mt[kk] & UPPER) | (mt[kk + 1] & LOWER);
                mt[kk] = mt[kk + M] ^ (y >> 1) ^ MAG01[(y & 1) as usize];
            }
            for kk in N - M..N - 1 {
                let y = (mt[kk] & UPPER) | (mt[kk + 1] & LOWER);
                mt[kk] = mt[kk + M - N] ^ (y >> 1) ^ MAG01[(y & 1) as usize];
            }
            let y = (mt[N - 1] & UPPER) | (mt[0] & LOWER);
            mt[N - 1] = mt[M - 1] ^ (y >> 1) ^ MAG01[(y & 1) as usize];
            self.index = 0;
        }
        let mut y = self.state[self.index];
        self.index += 1;
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c_5680;
        y ^= (y << 15) & 0xefc6_0000;
        y ^ (y >> 18)
    }

    /// `random()`: 53 random bits as a float in [0, 1).
    fn random(&mut self) -> f64 {
        let a = (self.genrand_u32() >> 5) as f64;
        let b = (self.genrand_u32() >> 6) as f64;
        (a * 67_108_864.0 + b) * (1.0 / 9_007_199_254_740_992.0)
    }

    /// `getrandbits(k)`, `k > 0`.
    fn getrandbits(&mut self, k: u64) -> BigInt {
        if k <= 32 {
            return BigInt::from(self.genrand_u32() >> (32 - k));
        }
        let words = (k - 1) / 32 + 1;
        let mut out = Vec::with_capacity(words as usize);
        let mut left = k as i64;
        for _ in 0..words {
            let mut r = self.genrand_u32();
            if left < 32 {
                r >>= 32 - left;
            }
            out.push(r);
            left -= 32;
        }
        BigInt::from_slice(Sign::Plus, &out)
    }

    /// `_randbelow_with_getrandbits(n)`, `n > 0`.
    fn randbelow(&mut self, n: &BigInt) -> BigInt {
        let k = n.bits();
        if k <= 32 {
            // The same draws as the general path, without big ints.
            let n = n.to_u64().unwrap_or(0);
            loop {
                let r = (self.genrand_u32() >> (32 - k)) as u64;
                if r < n {
                    return BigInt::from(r);
                }
            }
        }
        loop {
            let r = self.getrandbits(k);
            if &r < n {
                return r;
            }
        }
    }

    fn randbelow_usize(&mut self, n: usize) -> usize {
        self.randbelow(&BigInt::from(n)).to_usize().unwrap_or(0)
    }

    /// `seed(a)` for an int: `init_by_array` over the 32-bit words of `|a|`.
    fn seed_int(&mut self, a: &BigInt) {
        let mut key = a.abs().to_u32_digits().1;
        if key.is_empty() {
            key.push(0);
        }
        self.init_by_array(&key);
        self.gauss_next = None;
    }

    /// `seed()` / `seed(None)`: from the system's entropy.
    fn seed_entropy(&mut self) {
        let mut key = [0u32; N];
        let ok = std::fs::File::open("/dev/urandom")
            .and_then(|mut f| {
                use std::io::Read;
                let mut buf = [0u8; N * 4];
                f.read_exact(&mut buf)?;
                for (k, c) in key.iter_mut().zip(buf.chunks_exact(4)) {
                    *k = u32::from_le_bytes([c[0], c[1], c[2], c[3]]);
                }
                Ok(())
            })
            .is_ok();
        if !ok {
            let t = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0);
            key[0] = t as u32;
            key[1] = (t >> 32) as u32;
            key[2] = std::process::id();
        }
        self.init_by_array(&key);
        self.gauss_next = None;
    }
}

thread_local! {
    static MT: RefCell<Option<Box<Mt>>> = const { RefCell::new(None) };
}

/// Runs `f` on the generator (seeded from entropy at first use, as at
/// CPython's import of `random`).
fn with<R>(f: impl FnOnce(&mut Mt) -> R) -> R {
    MT.with(|m| {
        let mut m = m.borrow_mut();
        let mt = m.get_or_insert_with(|| {
            let mut mt = Box::new(Mt {
                state: [0; N],
                index: N + 1,
                gauss_next: None,
            });
            mt.seed_entropy();
            mt
        });
        f(mt)
    })
}

fn no_kw(kw: Option<Kw<'_>>, name: &str) -> PyResult<()> {
    match kw {
        Some(k) if !k.names.is_empty() => Err(type_error(format!(
            "{name}() got an unexpected keyword argument '{}'",
            str_of(k.names[0])
        ))),
        _ => Ok(()),
    }
}

/// `TypeError` for a method of `Random` given the wrong number of
/// positional arguments (`self` counted, as Python reports it).
fn positional(args: &[u64], name: &str, required: &[&str], optional: usize) -> PyResult<()> {
    let n = args.len();
    let max = required.len() + optional;
    if n < required.len() {
        let missing = &required[n..];
        let names: Vec<String> = missing.iter().map(|m| format!("'{m}'")).collect();
        let list = match names.len() {
            1 => names[0].clone(),
            2 => format!("{} and {}", names[0], names[1]),
            _ => {
                let (last, rest) = names.split_last().unwrap_or((&names[0], &[]));
                format!("{}, and {}", rest.join(", "), last)
            }
        };
        return Err(type_error(format!(
            "Random.{name}() missing {} required positional argument{}: {list}",
            missing.len(),
            if missing.len() == 1 { "" } else { "s" }
        )));
    }
    if n > max {
        let takes = if optional == 0 {
            format!("{}", max + 1)
        } else {
            format!("from {} to {}", required.len() + 1, max + 1)
        };
        return Err(type_error(format!(
            "Random.{name}() takes {takes} positional argument{} but {} were given",
            if max == 0 { "" } else { "s" },
            n + 1
        )));
    }
    Ok(())
}

fn r_seed(_vm: &mut Vm, args: &[u64], kw: Option<Kw<'_>>) -> PyResult<Obj> {
    no_kw(kw, "seed")?;
    positional(args, "seed", &[], 2)?;
    match args.first() {
        None => with(|m| m.seed_entropy()),
        Some(&a) if a == none_raw() => with(|m| m.seed_entropy()),
        Some(&a) => match kind_of(a) {
            KIND_SMALLINT | kind::BIGINT | kind::BOOL => {
                let n = integer(a)?;
                with(|m| m.seed_int(&n));
            }
            kind::FLOAT => {
                let h = crate::vm::num::hash_f64(crate::vm::obj::float_val(a)).unwrap_or(0);
                with(|m| m.seed_int(&BigInt::from(h)));
            }
            _ => return Err(type_error(
                "The only supported seed types are: None,\nint, float, str, bytes, and bytearray.",
            )),
        },
    }
    Ok(Obj::none())
}

fn r_random(_vm: &mut Vm, args: &[u64], kw: Option<Kw<'_>>) -> PyResult<Obj> {
    no_kw(kw, "random")?;
    if !args.is_empty() {
        return Err(type_error(format!(
            "Random.random() takes no arguments ({} given)",
            args.len()
        )));
    }
    Ok(Obj::float(with(|m| m.random())))
}

fn r_getrandbits(_vm: &mut Vm, args: &[u64], kw: Option<Kw<'_>>) -> PyResult<Obj> {
    no_kw(kw, "getrandbits")?;
    if args.len() != 1 {
        return Err(type_error(format!(
            "Random.getrandbits() takes exactly one argument ({} given)",
            args.len()
        )));
    }
    let k = integer(args[0])?;
    if k.is_negative() {
        return Err(value_error("number of bits must be non-negative"));
    }
    let Some(k) = k.to_u64().filter(|&k| k < (1 << 40)) else {
        return Err(err(
            ExcKind::OverflowError,
            "Python int too large to convert to C int",
        ));
    };
    if k == 0 {
        return Ok(Obj::int(0));
    }
    Ok(new_bigint(with(|m| m.getrandbits(k))))
}

/// `operator.index(v)` for randrange's arguments; an integral float is
/// accepted (CPython 3.11 warns and goes on), any other float is the
/// `ValueError` `what`.
fn index_arg(v: u64, what: &str) -> PyResult<BigInt> {
    if kind_of(v) == kind::FLOAT {
        let f = crate::vm::obj::float_val(v);
        if f.is_finite() && f.fract() == 0.0 {
            return Ok(crate::vm::num::f64_to_int(f)?.to_bigint());
        }
        return Err(value_error(what.to_string()));
    }
    match ops::as_bigint(v) {
        Some(b) => Ok(b),
        None => Err(type_error(format!(
            "'{}' object cannot be interpreted as an integer",
            type_name(v)
        ))),
    }
}

/// `randrange(start, stop=None, step=1)` (3.11's `Lib/random.py`).
fn randrange(start: u64, stop: Option<u64>, step: Option<u64>) -> PyResult<BigInt> {
    let istart = index_arg(start, "non-integer arg 1 for randrange()")?;
    let Some(stop) = stop.filter(|&s| s != none_raw()) else {
        if step.is_some() {
            return Err(type_error("Missing a non-None stop argument"));
        }
        if istart.is_positive() {
            return Ok(with(|m| m.randbelow(&istart)));
        }
        return Err(value_error("empty range for randrange()"));
    };
    let istop = index_arg(stop, "non-integer stop for randrange()")?;
    let width = &istop - &istart;
    let istep = match step {
        Some(s) => index_arg(s, "non-integer step for randrange()")?,
        None => BigInt::from(1),
    };
    if istep == BigInt::from(1) {
        if width.is_positive() {
            return Ok(&istart + with(|m| m.randbelow(&width)));
        }
        return Err(value_error(format!(
            "empty range for randrange() ({istart}, {istop}, {width})"
        )));
    }
    let n = if istep.is_positive() {
        crate::vm::num::int_floordiv(&(&width + &istep - 1), &istep)
    } else if istep.is_negative() {
        crate::vm::num::int_floordiv(&(&width + &istep + 1), &istep)
    } else {
        return Err(value_error("zero step for randrange()"));
    }
    .map_err(|_| value_error("zero step for randrange()"))?;
    if !n.is_positive() {
        return Err(value_error("empty range for randrange()"));
    }
    Ok(istart + istep * with(|m| m.randbelow(&n)))
}

fn r_randrange(_vm: &mut Vm, args: &[u64], kw: Option<Kw<'_>>) -> PyResult<Obj> {
    no_kw(kw, "randrange")?;
    positional(args, "randrange", &["start"], 2)?;
    let r = randrange(args[0], args.get(1).copied(), args.get(2).copied())?;
    Ok(new_bigint(r))
}

fn r_randint(_vm: &mut Vm, args: &[u64], kw: Option<Kw<'_>>) -> PyResult<Obj> {
    no_kw(kw, "randint")?;
    positional(args, "randint", &["a", "b"], 0)?;
    let b1 = ops::binary_op(args[1], Obj::int(1).raw(), crate::vm::bytecode::binop::ADD)?;
    let r = randrange(args[0], Some(b1.raw()), None)?;
    Ok(new_bigint(r))
}

/// `len(seq)` and `seq[i]` for the sequences `choice`/`sample` accept.
fn is_sequence(v: u64) -> bool {
    matches!(
        kind_of(v),
        kind::LIST | kind::TUPLE | kind::STR | kind::RANGE
    )
}

fn r_choice(_vm: &mut Vm, args: &[u64], kw: Option<Kw<'_>>) -> PyResult<Obj> {
    no_kw(kw, "choice")?;
    positional(args, "choice", &["seq"], 0)?;
    let seq = args[0];
    let n = len_of(seq)?;
    if n == 0 {
        return Err(index_error("Cannot choose from an empty sequence"));
    }
    let i = with(|m| m.randbelow_usize(n));
    ops::getitem(seq, Obj::int(i as i64).raw())
}

fn r_shuffle(_vm: &mut Vm, args: &[u64], kw: Option<Kw<'_>>) -> PyResult<Obj> {
    no_kw(kw, "shuffle")?;
    positional(args, "shuffle", &["x"], 0)?;
    let x = args[0];
    if kind_of(x) != kind::LIST {
        let n = len_of(x)?;
        if n > 1 {
            return Err(type_error(format!(
                "'{}' object does not support item assignment",
                type_name(x)
            )));
        }
        return Ok(Obj::none());
    }
    let n = list_items(x).len();
    for i in (1..n).rev() {
        let j = with(|m| m.randbelow_usize(i + 1));
        list_with(x, |v| {
            if i < v.len() && j < v.len() {
                v.swap(i, j);
            }
        });
    }
    Ok(Obj::none())
}

fn r_sample(_vm: &mut Vm, args: &[u64], kw: Option<Kw<'_>>) -> PyResult<Obj> {
    let mut k = args.get(1).copied();
    if let Some(kw) = kw {
        for (i, &name) in kw.names.iter().enumerate() {
            match str_of(name) {
                "k" if k.is_none() => k = Some(kw.vals[i]),
                "k" => {
                    return Err(type_error(
                        "Random.sample() got multiple values for argument 'k'",
                    ))
                }
                other => {
                    return Err(type_error(format!(
                        "Random.sample() got an unexpected keyword argument '{other}'"
                    )))
                }
            }
        }
    }
    if args.is_empty() {
        return Err(type_error(
            "Random.sample() missing 2 required positional arguments: 'population' and 'k'",
        ));
    }
    if args.len() > 2 {
        return Err(type_error(format!(
            "Random.sample() takes 3 positional arguments but {} were given",
            args.len() + 1
        )));
    }
    let Some(k) = k else {
        return Err(type_error(
            "Random.sample() missing 1 required positional argument: 'k'",
        ));
    };
    let pop = args[0];
    if !is_sequence(pop) {
        return Err(type_error(
            "Population must be a sequence.  For dicts or sets, use sorted(d).",
        ));
    }
    let n = len_of(pop)?;
    let k = match as_i64(k) {
        Some(k) if k >= 0 && k as u64 <= n as u64 => k as usize,
        Some(_) => return Err(value_error("Sample larger than population or is negative")),
        None => {
            return Err(type_error(format!(
                "'{}' object cannot be interpreted as an integer",
                type_name(k)
            )))
        }
    };
    let mut setsize = 21usize;
    if k > 5 {
        let e = ((k * 3) as f64).ln() / 4f64.ln();
        setsize += 4usize.pow(e.ceil() as u32);
    }
    let mut result = Vec::with_capacity(k);
    if n <= setsize {
        let mut pool = crate::vm::iter::collect(pop)?;
        for i in 0..k {
            let j = with(|m| m.randbelow_usize(n - i));
            result.push(pool[j].clone());
            pool[j] = pool[n - i - 1].clone();
        }
    } else {
        let mut selected = std::collections::HashSet::new();
        for _ in 0..k {
            let mut j = with(|m| m.randbelow_usize(n));
            while selected.contains(&j) {
                j = with(|m| m.randbelow_usize(n));
            }
            selected.insert(j);
            result.push(ops::getitem(pop, Obj::int(j as i64).raw())?);
        }
    }
    Ok(new_list(result))
}

fn r_uniform(_vm: &mut Vm, args: &[u64], kw: Option<Kw<'_>>) -> PyResult<Obj> {
    no_kw(kw, "uniform")?;
    positional(args, "uniform", &["a", "b"], 0)?;
    let (a, b) = (real(args[0])?, real(args[1])?);
    Ok(Obj::float(a + (b - a) * with(|m| m.random())))
}

fn r_gauss(_vm: &mut Vm, args: &[u64], kw: Option<Kw<'_>>) -> PyResult<Obj> {
    no_kw(kw, "gauss")?;
    positional(args, "gauss", &[], 2)?;
    let mu = args.first().map(|&v| real(v)).transpose()?.unwrap_or(0.0);
    let sigma = args.get(1).map(|&v| real(v)).transpose()?.unwrap_or(1.0);
    let z = with(|m| match m.gauss_next.take() {
        Some(z) => z,
        None => {
            let x2pi = m.random() * (2.0 * std::f64::consts::PI);
            let g2rad = (-2.0 * (1.0 - m.random()).ln()).sqrt();
            m.gauss_next = Some(x2pi.sin() * g2rad);
            x2pi.cos() * g2rad
        }
    });
    Ok(Obj::float(mu + z * sigma))
}

fn r_expovariate(_vm: &mut Vm, args: &[u64], kw: Option<Kw<'_>>) -> PyResult<Obj> {
    no_kw(kw, "expovariate")?;
    positional(args, "expovariate", &["lambd"], 0)?;
    let l = real(args[0])?;
    let r = with(|m| m.random());
    let x = -(1.0 - r).ln();
    if l == 0.0 {
        return Err(err(ExcKind::ZeroDivisionError, "float division by zero"));
    }
    Ok(Obj::float(x / l))
}

fn r_choices(_vm: &mut Vm, args: &[u64], kw: Option<Kw<'_>>) -> PyResult<Obj> {
    if args.is_empty() {
        return Err(type_error(
            "Random.choices() missing 1 required positional argument: 'population'",
        ));
    }
    if args.len() > 2 {
        return Err(type_error(format!(
            "Random.choices() takes from 2 to 3 positional arguments but {} were given",
            args.len() + 1
        )));
    }
    let pop = args[0];
    let mut weights = args.get(1).copied().filter(|&w| w != none_raw());
    let (mut cum, mut k) = (None, 1i64);
    if let Some(kw) = kw {
        for (i, &name) in kw.names.iter().enumerate() {
            let v = kw.vals[i];
            match str_of(name) {
                "weights" => weights = Some(v).filter(|&w| w != none_raw()),
                "cum_weights" => cum = Some(v).filter(|&w| w != none_raw()),
                "k" => {
                    k = as_i64(v).ok_or_else(|| {
                        type_error(format!(
                            "'{}' object cannot be interpreted as an integer",
                            type_name(v)
                        ))
                    })?
                }
                other => {
                    return Err(type_error(format!(
                        "Random.choices() got an unexpected keyword argument '{other}'"
                    )))
                }
            }
        }
    }
    let n = len_of(pop)?;
    let mut out = Vec::new();
    let cum: Vec<Obj> = match (weights, cum) {
        (None, None) => {
            let nf = n as f64;
            for _ in 0..k.max(0) {
                let i = (with(|m| m.random()) * nf).floor() as i64;
                out.push(ops::getitem(pop, Obj::int(i).raw())?);
            }
            return Ok(new_list(out));
        }
        (Some(_), Some(_)) => {
            return Err(type_error(
                "Cannot specify both weights and cumulative weights",
            ))
        }
        (Some(w), None) => {
            let mut acc: Vec<Obj> = Vec::new();
            for x in crate::vm::iter::collect(w)? {
                let next = match acc.last() {
                    Some(last) => {
                        ops::binary_op(last.raw(), x.raw(), crate::vm::bytecode::binop::ADD)?
                    }
                    None => x,
                };
                acc.push(next);
            }
            acc
        }
        (None, Some(c)) => crate::vm::iter::collect(c)?,
    };
    if cum.len() != n {
        return Err(value_error(
            "The number of weights does not match the population",
        ));
    }
    let Some(last) = cum.last() else {
        return Err(index_error("list index out of range"));
    };
    let total = real(last.raw())? + 0.0;
    if total <= 0.0 {
        return Err(value_error("Total of weights must be greater than zero"));
    }
    if !total.is_finite() {
        return Err(value_error("Total of weights must be finite"));
    }
    let hi = n - 1;
    for _ in 0..k.max(0) {
        let x = Obj::float(with(|m| m.random()) * total);
        // bisect_right(cum, x, 0, hi)
        let (mut lo, mut h) = (0usize, hi);
        while lo < h {
            let mid = (lo + h) / 2;
            if ops::compare_bool(x.raw(), cum[mid].raw(), crate::vm::bytecode::cmp::LT)? {
                h = mid;
            } else {
                lo = mid + 1;
            }
        }
        out.push(ops::getitem(pop, Obj::int(lo as i64).raw())?);
    }
    Ok(new_list(out))
}

/// The `random` module.
pub(super) fn random_module() -> Obj {
    let fs: &[(&'static str, BuiltinFn)] = &[
        ("seed", r_seed),
        ("random", r_random),
        ("getrandbits", r_getrandbits),
        ("randrange", r_randrange),
        ("randint", r_randint),
        ("choice", r_choice),
        ("shuffle", r_shuffle),
        ("sample", r_sample),
        ("uniform", r_uniform),
        ("gauss", r_gauss),
        ("expovariate", r_expovariate),
        ("choices", r_choices),
    ];
    functions_module("random", fs)
}
