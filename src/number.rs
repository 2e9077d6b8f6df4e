//! Exact numbers (SPEC 4.1: no decision may depend on rounding).
//!
//! Inputs are decimals of at most 1e15 with at most 6 digits after the point,
//! but the engine divides them (zone shares, proportional removals, failover
//! shares in proportion to capacity), so [`Exact`] is a rational. Almost all
//! values are small fractions, kept inline as an `i64` over a `u32` in 16
//! bytes with no allocation; anything larger falls back to an arbitrary
//! precision rational (num-rational over num-bigint). Every result is reduced
//! and stored in the smallest form that holds it, so equal values have equal
//! representations.

use std::cmp::Ordering;
use std::fmt;
use std::ops::{Add, Mul, Sub};

use num_bigint::BigInt;
use num_integer::Integer;
use num_rational::BigRational;
use num_traits::{Signed, ToPrimitive, Zero};

/// The largest number an input may hold (SPEC section 2).
pub const MAX_INPUT: u64 = 1_000_000_000_000_000;
/// The most digits an input may have after the point.
pub const MAX_DECIMALS: u32 = 6;

/// An exact rational number.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Exact(Repr);

#[derive(Clone, PartialEq, Eq, Hash)]
enum Repr {
    /// `num / den`, reduced, `den > 0`.
    Small { num: i64, den: u32 },
    /// Only values that do not fit `Small`.
    Big(Box<BigRational>),
}

impl Default for Exact {
    fn default() -> Self {
        Exact::ZERO
    }
}

impl Exact {
    pub const ZERO: Exact = Exact(Repr::Small { num: 0, den: 1 });
    pub const ONE: Exact = Exact(Repr::Small { num: 1, den: 1 });

    pub fn from_int(n: i64) -> Exact {
        Exact(Repr::Small { num: n, den: 1 })
    }

    /// `num / den`, reduced; `den` must not be zero (a zero denominator gives zero).
    pub fn ratio(num: i128, den: i128) -> Exact {
        if den == 0 {
            return Exact::ZERO;
        }
        let (num, den) = if den < 0 { (-num, -den) } else { (num, den) };
        let g = num.gcd(&den);
        let (num, den) = if g > 1 { (num / g, den / g) } else { (num, den) };
        match (i64::try_from(num), u32::try_from(den)) {
            (Ok(num), Ok(den)) => Exact(Repr::Small { num, den }),
            _ => Exact(Repr::Big(Box::new(BigRational::new_raw(
                BigInt::from(num),
                BigInt::from(den),
            )))),
        }
    }

    fn from_big(value: BigRational) -> Exact {
        // `value` comes reduced from num-rational's arithmetic.
        if let (Some(num), Some(den)) = (value.numer().to_i64(), value.denom().to_u32()) {
            return Exact(Repr::Small { num, den });
        }
        Exact(Repr::Big(Box::new(value)))
    }

    /// The value as an arbitrary precision rational (for checks against an
    /// independent implementation).
    pub fn to_rational(&self) -> BigRational {
        self.to_big()
    }

    fn to_big(&self) -> BigRational {
        match &self.0 {
            Repr::Small { num, den } => BigRational::new_raw(BigInt::from(*num), BigInt::from(*den)),
            Repr::Big(b) => (**b).clone(),
        }
    }

    pub fn is_zero(&self) -> bool {
        matches!(self.0, Repr::Small { num: 0, .. })
    }

    pub fn is_positive(&self) -> bool {
        match &self.0 {
            Repr::Small { num, .. } => *num > 0,
            Repr::Big(b) => b.is_positive(),
        }
    }

    /// `self / other`, or `None` when `other` is zero.
    pub fn checked_div(&self, other: &Exact) -> Option<Exact> {
        if other.is_zero() {
            return None;
        }
        Some(match (&self.0, &other.0) {
            (Repr::Small { num: a, den: b }, Repr::Small { num: c, den: d }) => {
                Exact::ratio(i128::from(*a) * i128::from(*d), i128::from(*b) * i128::from(*c))
            }
            _ => Exact::from_big(self.to_big() / other.to_big()),
        })
    }

    /// `self * n / d` for whole `n` and positive whole `d`, e.g. a percentage.
    pub fn scale(&self, n: &Exact, d: i64) -> Exact {
        (self * n).checked_div(&Exact::from_int(d)).unwrap_or(Exact::ZERO)
    }

    pub fn min(self, other: Exact) -> Exact {
        if other < self { other } else { self }
    }

    pub fn max(self, other: Exact) -> Exact {
        if other > self { other } else { self }
    }

    /// The nearest `f64`, for JSON output and display only: no decision reads it.
    pub fn to_f64(&self) -> f64 {
        match &self.0 {
            Repr::Small { num, den } => *num as f64 / f64::from(*den),
            Repr::Big(b) => b.to_f64().unwrap_or(f64::MAX),
        }
    }

    /// Whole units, rounded down; for counts such as seconds.
    pub fn floor_u64(&self) -> u64 {
        match &self.0 {
            Repr::Small { num, den } => u64::try_from(num.div_euclid(i64::from(*den))).unwrap_or(0),
            Repr::Big(b) => b.floor().to_integer().to_u64().unwrap_or(u64::MAX),
        }
    }

    /// The value as a decimal when it has at most six digits after the
    /// point; otherwise rounded to six digits, marked with `~`.
    pub fn display(&self) -> String {
        let (num, den) = match &self.0 {
            Repr::Small { num, den } => (BigInt::from(*num), BigInt::from(*den)),
            Repr::Big(b) => (b.numer().clone(), b.denom().clone()),
        };
        let scale = BigInt::from(1_000_000);
        let scaled = &num * &scale;
        let (quotient, remainder) = scaled.div_rem(&den);
        let exact = remainder.is_zero();
        // Round half away from zero on the sixth digit.
        let micros = if exact {
            quotient
        } else {
            let twice = remainder.abs() * 2;
            if twice >= den.abs() {
                if scaled.is_negative() {
                    quotient - 1
                } else {
                    quotient + 1
                }
            } else {
                quotient
            }
        };
        let negative = micros.is_negative();
        let micros = micros.abs();
        let (whole, fraction) = micros.div_rem(&scale);
        let mut text = whole.to_string();
        if !fraction.is_zero() {
            let digits = format!("{:0>6}", fraction.to_string());
            text.push('.');
            text.push_str(digits.trim_end_matches('0'));
        }
        if negative {
            text.insert(0, '-');
        }
        if !exact {
            text.insert(0, '~');
        }
        text
    }
}

impl fmt::Debug for Exact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display())
    }
}

impl fmt::Display for Exact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display())
    }
}

impl Ord for Exact {
    fn cmp(&self, other: &Self) -> Ordering {
        match (&self.0, &other.0) {
            (Repr::Small { num: a, den: b }, Repr::Small { num: c, den: d }) => {
                // |a * d| < 2^95: no overflow.
                (i128::from(*a) * i128::from(*d)).cmp(&(i128::from(*c) * i128::from(*b)))
            }
            _ => self.to_big().cmp(&other.to_big()),
        }
    }
}

impl PartialOrd for Exact {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

fn combine(
    a: &Exact,
    b: &Exact,
    small: impl Fn(i128, i128, i128, i128) -> (i128, i128),
    big: impl Fn(BigRational, BigRational) -> BigRational,
) -> Exact {
    if let (Repr::Small { num: an, den: ad }, Repr::Small { num: bn, den: bd }) = (&a.0, &b.0) {
        let (num, den) = small(i128::from(*an), i128::from(*ad), i128::from(*bn), i128::from(*bd));
        return Exact::ratio(num, den);
    }
    Exact::from_big(big(a.to_big(), b.to_big()))
}

/// `a/b + c/d` as an unreduced fraction.
fn fraction_sum(a: i128, b: i128, c: i128, d: i128) -> (i128, i128) {
    (a * d + c * b, b * d)
}

/// `a/b - c/d` as an unreduced fraction.
fn fraction_difference(a: i128, b: i128, c: i128, d: i128) -> (i128, i128) {
    (a * d - c * b, b * d)
}

impl Add for &Exact {
    type Output = Exact;
    fn add(self, other: &Exact) -> Exact {
        if let (Repr::Small { num: a, den: 1 }, Repr::Small { num: b, den: 1 }) = (&self.0, &other.0)
            && let Some(sum) = a.checked_add(*b)
        {
            return Exact::from_int(sum);
        }
        // i64 * u32 + i64 * u32 < 2^96: no overflow in i128.
        combine(self, other, fraction_sum, |x, y| x + y)
    }
}

impl Sub for &Exact {
    type Output = Exact;
    fn sub(self, other: &Exact) -> Exact {
        if let (Repr::Small { num: a, den: 1 }, Repr::Small { num: b, den: 1 }) = (&self.0, &other.0)
            && let Some(difference) = a.checked_sub(*b)
        {
            return Exact::from_int(difference);
        }
        combine(self, other, fraction_difference, |x, y| x - y)
    }
}

impl Mul for &Exact {
    type Output = Exact;
    fn mul(self, other: &Exact) -> Exact {
        // i64 * i64 < 2^126 and u32 * u32 < 2^64: no overflow in i128.
        combine(self, other, |a, b, c, d| (a * c, b * d), |x, y| x * y)
    }
}

macro_rules! by_value {
    ($($trait:ident $method:ident),*) => {$(
        impl $trait for Exact {
            type Output = Exact;
            fn $method(self, other: Exact) -> Exact {
                (&self).$method(&other)
            }
        }
        impl $trait<&Exact> for Exact {
            type Output = Exact;
            fn $method(self, other: &Exact) -> Exact {
                (&self).$method(other)
            }
        }
    )*};
}
by_value!(Add add, Sub sub, Mul mul);

impl std::iter::Sum for Exact {
    fn sum<I: Iterator<Item = Exact>>(iter: I) -> Exact {
        iter.fold(Exact::ZERO, |total, x| total + x)
    }
}

impl<'a> std::iter::Sum<&'a Exact> for Exact {
    fn sum<I: Iterator<Item = &'a Exact>>(iter: I) -> Exact {
        iter.fold(Exact::ZERO, |total, x| total + x)
    }
}

impl serde::Serialize for Exact {
    /// JSON carries the nearest double; the README says so.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_f64(self.to_f64())
    }
}

/// Why a number as written is not accepted (SPEC section 2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NumberProblem {
    /// Not a number at all (or `.nan`, `.inf`).
    NotANumber,
    Negative,
    /// More than [`MAX_DECIMALS`] digits after the point.
    TooPrecise,
    /// Above [`MAX_INPUT`].
    TooLarge,
}

impl NumberProblem {
    /// What is wrong, after "`FIELD` is ...".
    pub fn describe(&self) -> &'static str {
        match self {
            NumberProblem::NotANumber => "not a number",
            NumberProblem::Negative => "negative",
            NumberProblem::TooPrecise => "more precise than 6 digits after the point",
            NumberProblem::TooLarge => "larger than 1e15",
        }
    }

    pub fn help(&self) -> &'static str {
        match self {
            NumberProblem::NotANumber => "use a plain number such as 2 or 12.5",
            NumberProblem::Negative => "use a non-negative number",
            NumberProblem::TooPrecise => "round it to at most 6 digits after the point",
            NumberProblem::TooLarge => "numbers are at most 1e15; use a larger unit",
        }
    }
}

/// Reads a number as written: digits with an optional point and exponent
/// (`80`, `2.5`, `.5`, `1e6`, `1.5E3`, `+3`), or a YAML 1.2 integer in hex or
/// octal (`0x1F`, `0o17`). The value is exact: no binary floating point is
/// ever involved.
pub fn parse_decimal(text: &str) -> Result<Exact, NumberProblem> {
    let text = text.trim();
    let (negative, body) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let value = if let Some(hex) = body.strip_prefix("0x") {
        radix(hex, 16)?
    } else if let Some(octal) = body.strip_prefix("0o") {
        radix(octal, 8)?
    } else {
        decimal(body)?
    };
    if value.is_zero() {
        // `-0` is zero.
        return Ok(Exact::ZERO);
    }
    if negative {
        return Err(NumberProblem::Negative);
    }
    if value > Exact::from_int(MAX_INPUT as i64) {
        return Err(NumberProblem::TooLarge);
    }
    Ok(value)
}

fn radix(digits: &str, base: u32) -> Result<Exact, NumberProblem> {
    if digits.is_empty() || digits.len() > 16 {
        // More than 16 hex digits is above 1e15 anyway; refuse before overflow.
        return if digits.is_empty() {
            Err(NumberProblem::NotANumber)
        } else {
            Err(NumberProblem::TooLarge)
        };
    }
    let value = i128::from_str_radix(digits, base).map_err(|_| NumberProblem::NotANumber)?;
    Ok(Exact::ratio(value, 1))
}

fn decimal(body: &str) -> Result<Exact, NumberProblem> {
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(at) => (&body[..at], Some(&body[at + 1..])),
        None => (body, None),
    };
    let (whole, fraction) = match mantissa.split_once('.') {
        Some((w, f)) => (w, f),
        None => (mantissa, ""),
    };
    let digits_only = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if (whole.is_empty() && fraction.is_empty()) || !digits_only(whole) || !digits_only(fraction) {
        return Err(NumberProblem::NotANumber);
    }
    let exponent: i64 = match exponent {
        None => 0,
        Some(e) => {
            let digits = e.strip_prefix(['+', '-']).unwrap_or(e);
            if digits.is_empty() || !digits_only(digits) {
                return Err(NumberProblem::NotANumber);
            }
            // Any exponent this long is out of range whichever its sign.
            if digits.len() > 6 {
                return Err(if e.starts_with('-') {
                    NumberProblem::TooPrecise
                } else {
                    NumberProblem::TooLarge
                });
            }
            e.parse().map_err(|_| NumberProblem::NotANumber)?
        }
    };
    // value = (whole fraction as an integer) * 10^(exponent - len(fraction))
    let significant = format!("{whole}{fraction}");
    let significant = significant.trim_start_matches('0');
    let mut scale = exponent - fraction.len() as i64;
    // Trailing zeros move into the exponent, so that `1.500000000` is 1.5.
    let trimmed = significant.trim_end_matches('0');
    scale += (significant.len() - trimmed.len()) as i64;
    if trimmed.is_empty() {
        return Ok(Exact::ZERO);
    }
    if scale < -i64::from(MAX_DECIMALS) {
        return Err(NumberProblem::TooPrecise);
    }
    // More than 16 digits before the point is above 1e15; this also keeps
    // the integer below within i128 (at most 22 digits).
    if trimmed.len() as i64 + scale > 16 {
        return Err(NumberProblem::TooLarge);
    }
    let digits: i128 = trimmed.parse().map_err(|_| NumberProblem::NotANumber)?;
    Ok(if scale >= 0 {
        Exact::ratio(digits * 10i128.pow(scale as u32), 1)
    } else {
        Exact::ratio(digits, 10i128.pow((-scale) as u32))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn big(x: &Exact) -> BigRational {
        x.to_big()
    }

    fn value() -> impl Strategy<Value = Exact> {
        prop_oneof![
            (-1000i64..1000, 1u32..50).prop_map(|(n, d)| Exact::ratio(n.into(), d.into())),
            (any::<i64>(), any::<u32>()).prop_map(|(n, d)| Exact::ratio(n.into(), i128::from(d) + 1)),
            (any::<i64>()).prop_map(Exact::from_int),
        ]
    }

    proptest! {
        #[test]
        fn arithmetic_equals_big_rationals(a in value(), b in value()) {
            prop_assert_eq!(big(&(&a + &b)), big(&a) + big(&b));
            prop_assert_eq!(big(&(&a - &b)), big(&a) - big(&b));
            prop_assert_eq!(big(&(&a * &b)), big(&a) * big(&b));
            prop_assert_eq!(a.cmp(&b), big(&a).cmp(&big(&b)));
            if !b.is_zero() {
                prop_assert_eq!(big(&a.checked_div(&b).unwrap()), big(&a) / big(&b));
            }
        }

        #[test]
        fn equal_values_have_equal_representations(a in value(), b in value()) {
            // Through the big path and back: the form is canonical.
            let round_trip = Exact::from_big(big(&a) * big(&b)) ;
            prop_assert_eq!(round_trip, &a * &b);
        }

        #[test]
        fn decimals_read_exactly(whole in 0u64..1_000_000_000_000_000, micros in 0u32..1_000_000) {
            let text = format!("{whole}.{micros:06}");
            let parsed = parse_decimal(&text);
            let expected = Exact::ratio(i128::from(whole) * 1_000_000 + i128::from(micros), 1_000_000);
            prop_assert_eq!(parsed, Ok(expected.clone()));
            prop_assert_eq!(expected.display().trim_start_matches('~').to_string(), {
                let t = text.trim_end_matches('0').trim_end_matches('.').to_string();
                if t.is_empty() { "0".to_string() } else { t }
            });
        }
    }

    #[test]
    fn decimal_forms() {
        let ok = |t: &str, n: i128, d: i128| assert_eq!(parse_decimal(t), Ok(Exact::ratio(n, d)), "{t}");
        ok("80", 80, 1);
        ok("2.5", 5, 2);
        ok(".5", 1, 2);
        ok("5.", 5, 1);
        ok("1e6", 1_000_000, 1);
        ok("1.5E3", 1500, 1);
        ok("+3", 3, 1);
        ok("-0", 0, 1);
        ok("0x1F", 31, 1);
        ok("0o17", 15, 1);
        ok("1e15", 1_000_000_000_000_000, 1);
        ok("999999999999999.999999", 999_999_999_999_999_999_999, 1_000_000);
        ok("0.000001", 1, 1_000_000);
        ok("1.50000000000", 3, 2);
        ok("1e-6", 1, 1_000_000);
        ok("0.0000010", 1, 1_000_000);
        let bad = |t: &str, p: NumberProblem| assert_eq!(parse_decimal(t), Err(p), "{t}");
        bad("0.0000001", NumberProblem::TooPrecise);
        bad("1e-7", NumberProblem::TooPrecise);
        bad("1000000000000000.000001", NumberProblem::TooLarge);
        bad("1e16", NumberProblem::TooLarge);
        bad("1e999999999", NumberProblem::TooLarge);
        bad("-1", NumberProblem::Negative);
        bad(".nan", NumberProblem::NotANumber);
        bad(".inf", NumberProblem::NotANumber);
        bad("", NumberProblem::NotANumber);
        bad("1.2.3", NumberProblem::NotANumber);
        bad("e5", NumberProblem::NotANumber);
        bad("12abc", NumberProblem::NotANumber);
        bad("0x", NumberProblem::NotANumber);
        bad("0xFFFFFFFFFFFFFFFFFF", NumberProblem::TooLarge);
    }

    #[test]
    fn thirty_three_percent_of_ten_is_exactly_three_point_three() {
        let ten = Exact::from_int(10);
        let percent = parse_decimal("33").unwrap();
        assert_eq!(ten.scale(&percent, 100), parse_decimal("3.3").unwrap());
    }

    #[test]
    fn one_unit_matters_at_every_magnitude() {
        for magnitude in [1i64, 1_000_000, 1_000_000_000, 1_000_000_000_000, 1_000_000_000_000_000] {
            let m = Exact::from_int(magnitude);
            let below = &m - &Exact::from_int(1);
            assert!(below < m, "{magnitude}");
            let micro_below = &m - &Exact::ratio(1, 1_000_000);
            assert!(micro_below < m, "{magnitude}");
        }
    }

    #[test]
    fn display_is_exact_or_marked() {
        assert_eq!(Exact::ratio(100, 3).display(), "~33.333333");
        assert_eq!(Exact::ratio(200, 3).display(), "~66.666667");
        assert_eq!(Exact::ratio(33, 10).display(), "3.3");
        assert_eq!(Exact::from_int(80).display(), "80");
        assert_eq!(Exact::ratio(1, 1_000_000).display(), "0.000001");
    }
}
