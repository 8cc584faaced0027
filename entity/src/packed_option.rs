//! `PackedOption<T>`: an optional entity with no space overhead.

use core::fmt;

/// A type with one value set aside to mean "none", so [`PackedOption`] needs no tag.
pub trait ReservedValue {
    /// The reserved value.
    fn reserved_value() -> Self;
    /// Whether `self` is the reserved value.
    fn is_reserved_value(&self) -> bool;
}

/// An `Option<T>` stored in the space of a `T`: the reserved value of `T` means `None`.
///
/// Use it in compact data structures; convert to `Option<T>` with [`expand`] to work with it.
///
/// ```
/// use gantry_entity::{entity_impl, EntityRef, PackedOption};
///
/// #[derive(Clone, Copy, PartialEq, Eq)]
/// struct Block(u32);
/// entity_impl!(Block, "block");
///
/// let mut p: PackedOption<Block> = None.into();
/// assert!(p.is_none());
/// p = Block::new(2).into();
/// assert_eq!(p.expand(), Some(Block::new(2)));
/// assert_eq!(core::mem::size_of::<PackedOption<Block>>(), 4);
/// ```
///
/// [`expand`]: PackedOption::expand
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[repr(transparent)]
pub struct PackedOption<T: ReservedValue>(T);

impl<T: ReservedValue> PackedOption<T> {
    /// Whether this is `None`.
    pub fn is_none(&self) -> bool {
        self.0.is_reserved_value()
    }

    /// Whether this holds a value.
    pub fn is_some(&self) -> bool {
        !self.is_none()
    }

    /// Converts into an ordinary `Option<T>`.
    pub fn expand(self) -> Option<T> {
        if self.is_none() { None } else { Some(self.0) }
    }

    /// Maps the held value with `f`, if any.
    pub fn map<U, F: FnOnce(T) -> U>(self, f: F) -> Option<U> {
        self.expand().map(f)
    }

    /// The held value.
    ///
    /// # Panics
    /// If this is `None`.
    #[track_caller]
    pub fn unwrap(self) -> T {
        self.expect("called `PackedOption::unwrap()` on a `None` value")
    }

    /// The held value.
    ///
    /// # Panics
    /// With `msg` if this is `None`.
    #[track_caller]
    pub fn expect(self, msg: &str) -> T {
        match self.expand() {
            Some(x) => x,
            None => panic!("{}", msg),
        }
    }

    /// Takes the value out, leaving `None` in its place.
    pub fn take(&mut self) -> Option<T> {
        core::mem::replace(self, None.into()).expand()
    }
}

impl<T: ReservedValue> Default for PackedOption<T> {
    /// The default is `None`.
    fn default() -> Self {
        Self(T::reserved_value())
    }
}

impl<T: ReservedValue> From<T> for PackedOption<T> {
    /// Wraps `t`.
    ///
    /// # Panics
    /// In debug builds, if `t` is the reserved value (it would read back as `None`).
    fn from(t: T) -> Self {
        debug_assert!(
            !t.is_reserved_value(),
            "cannot store the reserved value in a PackedOption"
        );
        Self(t)
    }
}

impl<T: ReservedValue> From<Option<T>> for PackedOption<T> {
    fn from(opt: Option<T>) -> Self {
        match opt {
            None => Self::default(),
            Some(t) => t.into(),
        }
    }
}

impl<T: ReservedValue> From<PackedOption<T>> for Option<T> {
    fn from(p: PackedOption<T>) -> Option<T> {
        p.expand()
    }
}

impl<T: ReservedValue + fmt::Debug> fmt::Debug for PackedOption<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_none() {
            write!(f, "None")
        } else {
            write!(f, "Some({:?})", self.0)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    struct NoC(u32);
    impl ReservedValue for NoC {
        fn reserved_value() -> Self {
            NoC(13)
        }
        fn is_reserved_value(&self) -> bool {
            self.0 == 13
        }
    }

    #[test]
    fn round_trips() {
        let none: PackedOption<NoC> = None.into();
        assert!(none.is_none() && !none.is_some());
        assert_eq!(none.expand(), None);
        let some: PackedOption<NoC> = NoC(4).into();
        assert_eq!(some.expand(), Some(NoC(4)));
        assert_eq!(some.map(|x| x.0 + 1), Some(5));
        assert_eq!(Option::<NoC>::from(some), Some(NoC(4)));
        assert_eq!(alloc::format!("{none:?} {some:?}"), "None Some(NoC(4))");
    }

    #[test]
    fn take_leaves_none() {
        let mut p: PackedOption<NoC> = NoC(1).into();
        assert_eq!(p.take(), Some(NoC(1)));
        assert!(p.is_none());
        assert_eq!(p.take(), None);
    }

    #[test]
    #[should_panic(expected = "on a `None` value")]
    fn unwrap_none_panics() {
        PackedOption::<NoC>::default().unwrap();
    }
}
