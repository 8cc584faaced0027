//! Condition codes of `icmp` and `fcmp`.

use core::fmt;

macro_rules! cond_codes {
    ($(#[$doc:meta])* $ty:ident { $($(#[$vdoc:meta])* $variant:ident = $text:literal,)* }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
        #[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
        pub enum $ty {
            $($(#[$vdoc])* $variant,)*
        }

        impl $ty {
            /// Every condition code, in declaration order.
            pub const ALL: &'static [$ty] = &[$($ty::$variant,)*];

            /// The text form (`eq`, `slt`, ...).
            pub fn name(self) -> &'static str {
                match self { $($ty::$variant => $text,)* }
            }

            /// Parses the text form.
            pub fn parse(s: &str) -> Option<Self> {
                match s { $($text => Some($ty::$variant),)* _ => None }
            }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.name())
            }
        }
    };
}

cond_codes! {
    /// An integer comparison; signed and unsigned variants interpret the bits differently.
    IntCC {
        /// `==`
        Equal = "eq",
        /// `!=`
        NotEqual = "ne",
        /// signed `<`
        SignedLessThan = "slt",
        /// signed `>=`
        SignedGreaterThanOrEqual = "sge",
        /// signed `>`
        SignedGreaterThan = "sgt",
        /// signed `<=`
        SignedLessThanOrEqual = "sle",
        /// unsigned `<`
        UnsignedLessThan = "ult",
        /// unsigned `>=`
        UnsignedGreaterThanOrEqual = "uge",
        /// unsigned `>`
        UnsignedGreaterThan = "ugt",
        /// unsigned `<=`
        UnsignedLessThanOrEqual = "ule",
    }
}

cond_codes! {
    /// A float comparison: a set of the relations unordered (a NaN operand), equal, less
    /// and greater. The `u` variants include unordered.
    FloatCC {
        /// EQ | LT | GT: neither operand is NaN.
        Ordered = "ord",
        /// UN: some operand is NaN.
        Unordered = "uno",
        /// EQ
        Equal = "eq",
        /// UN | LT | GT
        NotEqual = "ne",
        /// LT | GT
        OrderedNotEqual = "one",
        /// UN | EQ
        UnorderedOrEqual = "ueq",
        /// LT
        LessThan = "lt",
        /// LT | EQ
        LessThanOrEqual = "le",
        /// GT
        GreaterThan = "gt",
        /// GT | EQ
        GreaterThanOrEqual = "ge",
        /// UN | LT
        UnorderedOrLessThan = "ult",
        /// UN | LT | EQ
        UnorderedOrLessThanOrEqual = "ule",
        /// UN | GT
        UnorderedOrGreaterThan = "ugt",
        /// UN | GT | EQ
        UnorderedOrGreaterThanOrEqual = "uge",
    }
}

impl IntCC {
    /// The condition that holds exactly when this one does not.
    pub fn complement(self) -> IntCC {
        use IntCC::*;
        match self {
            Equal => NotEqual,
            NotEqual => Equal,
            SignedLessThan => SignedGreaterThanOrEqual,
            SignedGreaterThanOrEqual => SignedLessThan,
            SignedGreaterThan => SignedLessThanOrEqual,
            SignedLessThanOrEqual => SignedGreaterThan,
            UnsignedLessThan => UnsignedGreaterThanOrEqual,
            UnsignedGreaterThanOrEqual => UnsignedLessThan,
            UnsignedGreaterThan => UnsignedLessThanOrEqual,
            UnsignedLessThanOrEqual => UnsignedGreaterThan,
        }
    }

    /// The condition with the operands swapped (`a < b` is `b > a`).
    pub fn swap_args(self) -> IntCC {
        use IntCC::*;
        match self {
            Equal | NotEqual => self,
            SignedLessThan => SignedGreaterThan,
            SignedGreaterThanOrEqual => SignedLessThanOrEqual,
            SignedGreaterThan => SignedLessThan,
            SignedLessThanOrEqual => SignedGreaterThanOrEqual,
            UnsignedLessThan => UnsignedGreaterThan,
            UnsignedGreaterThanOrEqual => UnsignedLessThanOrEqual,
            UnsignedGreaterThan => UnsignedLessThan,
            UnsignedLessThanOrEqual => UnsignedGreaterThanOrEqual,
        }
    }
}

impl FloatCC {
    /// The condition that holds exactly when this one does not.
    pub fn complement(self) -> FloatCC {
        use FloatCC::*;
        match self {
            Ordered => Unordered,
            Unordered => Ordered,
            Equal => NotEqual,
            NotEqual => Equal,
            OrderedNotEqual => UnorderedOrEqual,
            UnorderedOrEqual => OrderedNotEqual,
            LessThan => UnorderedOrGreaterThanOrEqual,
            LessThanOrEqual => UnorderedOrGreaterThan,
            GreaterThan => UnorderedOrLessThanOrEqual,
            GreaterThanOrEqual => UnorderedOrLessThan,
            UnorderedOrLessThan => GreaterThanOrEqual,
            UnorderedOrLessThanOrEqual => GreaterThan,
            UnorderedOrGreaterThan => LessThanOrEqual,
            UnorderedOrGreaterThanOrEqual => LessThan,
        }
    }

    /// The condition with the operands swapped.
    pub fn swap_args(self) -> FloatCC {
        use FloatCC::*;
        match self {
            LessThan => GreaterThan,
            LessThanOrEqual => GreaterThanOrEqual,
            GreaterThan => LessThan,
            GreaterThanOrEqual => LessThanOrEqual,
            UnorderedOrLessThan => UnorderedOrGreaterThan,
            UnorderedOrLessThanOrEqual => UnorderedOrGreaterThanOrEqual,
            UnorderedOrGreaterThan => UnorderedOrLessThan,
            UnorderedOrGreaterThanOrEqual => UnorderedOrLessThanOrEqual,
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_complements_are_involutions() {
        for &cc in IntCC::ALL {
            assert_eq!(IntCC::parse(cc.name()), Some(cc));
            assert_eq!(cc.complement().complement(), cc);
            assert_eq!(cc.swap_args().swap_args(), cc);
        }
        for &cc in FloatCC::ALL {
            assert_eq!(FloatCC::parse(cc.name()), Some(cc));
            assert_eq!(cc.complement().complement(), cc);
            assert_ne!(cc.complement(), cc);
        }
        assert_eq!(IntCC::parse("lt"), None);
    }
}
