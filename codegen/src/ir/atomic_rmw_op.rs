//! The operations of `atomic_rmw`.

use core::fmt;

macro_rules! rmw_ops {
    ($($(#[$doc:meta])* $variant:ident = $text:literal,)*) => {
        /// The read-modify-write operation of an `atomic_rmw`.
        #[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
        #[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
        pub enum AtomicRmwOp {
            $($(#[$doc])* $variant,)*
        }

        impl AtomicRmwOp {
            /// Every operation.
            pub const ALL: &'static [AtomicRmwOp] = &[$(AtomicRmwOp::$variant,)*];

            /// The text name.
            pub fn name(self) -> &'static str {
                match self { $(AtomicRmwOp::$variant => $text,)* }
            }

            /// Parses the text name.
            pub fn parse(s: &str) -> Option<AtomicRmwOp> {
                match s { $($text => Some(AtomicRmwOp::$variant),)* _ => None }
            }
        }
    };
}

rmw_ops! {
    /// `old + x`
    Add = "add",
    /// `old - x`
    Sub = "sub",
    /// `old & x`
    And = "and",
    /// `!(old & x)`
    Nand = "nand",
    /// `old | x`
    Or = "or",
    /// `old ^ x`
    Xor = "xor",
    /// `x`
    Xchg = "xchg",
    /// unsigned minimum
    Umin = "umin",
    /// unsigned maximum
    Umax = "umax",
    /// signed minimum
    Smin = "smin",
    /// signed maximum
    Smax = "smax",
}

impl fmt::Display for AtomicRmwOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
