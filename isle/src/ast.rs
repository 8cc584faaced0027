//! The syntax tree of an ISLE program.

use crate::error::Pos;

/// A name and where it was written.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Ident(pub String, pub Pos);

/// A top-level definition.
#[derive(Clone, Debug)]
pub enum Def {
    /// `(type Name [extern] (primitive RustType))` or `(type Name [extern] (enum ...))`.
    Type {
        /// The type's name.
        name: Ident,
        /// Whether an enum is defined in Rust rather than generated.
        is_extern: bool,
        /// What it is.
        value: TypeValue,
        /// Where.
        pos: Pos,
    },
    /// `(decl [pure] [multi] [partial] [rec] term (ArgTy...) RetTy)`.
    Decl(Decl),
    /// `(rule [name] [prio] pattern [iflets...] expr)`.
    Rule(Rule),
    /// `(extractor (term args...) template)`: an internal extractor (a pattern macro).
    Extractor {
        /// The term.
        term: Ident,
        /// The macro parameters.
        args: Vec<Ident>,
        /// The pattern they are substituted into.
        template: Pattern,
        /// Where.
        pos: Pos,
    },
    /// `(extern constructor term rust_fn)`.
    ExternConstructor {
        /// The term.
        term: Ident,
        /// The `Context` method.
        func: Ident,
        /// Where.
        pos: Pos,
    },
    /// `(extern extractor [infallible] term rust_fn)`.
    ExternExtractor {
        /// The term.
        term: Ident,
        /// The `Context` method.
        func: Ident,
        /// Whether it always succeeds.
        infallible: bool,
        /// Where.
        pos: Pos,
    },
    /// `(extern const $Name Type)`.
    ExternConst {
        /// The constant, with its `$`.
        name: Ident,
        /// Its type.
        ty: Ident,
        /// Where.
        pos: Pos,
    },
    /// `(convert From To term)`.
    Convert {
        /// The source type.
        from: Ident,
        /// The target type.
        to: Ident,
        /// The constructor doing it.
        term: Ident,
        /// Where.
        pos: Pos,
    },
    /// `(overlap-ok rule_a rule_b)`: these two named rules may overlap.
    OverlapOk(Ident, Ident),
}

/// The definition of a type.
#[derive(Clone, Debug)]
pub enum TypeValue {
    /// A Rust type used as is.
    Primitive(Ident),
    /// An enum with these variants.
    Enum(Vec<Variant>),
}

/// An enum variant and its named fields.
#[derive(Clone, Debug)]
pub struct Variant {
    /// The name.
    pub name: Ident,
    /// `(field Type)` pairs.
    pub fields: Vec<(Ident, Ident)>,
}

/// A term declaration.
#[derive(Clone, Debug)]
pub struct Decl {
    /// The term.
    pub term: Ident,
    /// Argument types.
    pub args: Vec<Ident>,
    /// Result type.
    pub ret: Ident,
    /// May be called in `if-let` and `if`.
    pub pure: bool,
    /// Produces any number of results.
    pub multi: bool,
    /// May fail.
    pub partial: bool,
    /// May be recursive.
    pub rec: bool,
    /// Where.
    pub pos: Pos,
}

/// A rewrite rule.
#[derive(Clone, Debug)]
pub struct Rule {
    /// An optional name, for `overlap-ok`.
    pub name: Option<Ident>,
    /// Higher priorities are tried first (default 0).
    pub prio: i64,
    /// The left-hand side: `(term patterns...)`.
    pub pattern: Pattern,
    /// `(if-let pattern expr)` and `(if expr)` conditions, in order.
    pub iflets: Vec<IfLet>,
    /// The right-hand side.
    pub expr: Expr,
    /// Where.
    pub pos: Pos,
}

/// A side condition.
#[derive(Clone, Debug)]
pub struct IfLet {
    /// What the value must match (`_` for `(if expr)`).
    pub pattern: Pattern,
    /// The value.
    pub expr: Expr,
    /// Where.
    pub pos: Pos,
}

/// A pattern.
#[derive(Clone, Debug)]
pub enum Pattern {
    /// `x`: binds a new variable, or tests equality with an already bound one.
    Var(Ident),
    /// `x @ pat`.
    Bind(Ident, Box<Pattern>),
    /// An integer constant.
    Int(i128, Pos),
    /// `#t` / `#f`.
    Bool(bool, Pos),
    /// `$Name`.
    Const(Ident),
    /// `_`.
    Wildcard(Pos),
    /// `(term args...)` or `(Enum.Variant fields...)`.
    Term(Ident, Vec<Pattern>),
    /// `(and pats...)`.
    And(Vec<Pattern>, Pos),
}

impl Pattern {
    /// Where the pattern starts.
    pub fn pos(&self) -> Pos {
        match self {
            Pattern::Var(i) | Pattern::Bind(i, _) | Pattern::Const(i) | Pattern::Term(i, _) => i.1,
            Pattern::Int(_, p)
            | Pattern::Bool(_, p)
            | Pattern::Wildcard(p)
            | Pattern::And(_, p) => *p,
        }
    }
}

/// An expression.
#[derive(Clone, Debug)]
pub enum Expr {
    /// A variable.
    Var(Ident),
    /// An integer constant.
    Int(i128, Pos),
    /// `#t` / `#f`.
    Bool(bool, Pos),
    /// `$Name`.
    Const(Ident),
    /// `(term args...)` or `(Enum.Variant fields...)`.
    Term(Ident, Vec<Expr>),
    /// `(let ((x Type expr) ...) body)`.
    Let(Vec<(Ident, Ident, Expr)>, Box<Expr>, Pos),
}

impl Expr {
    /// Where the expression starts.
    pub fn pos(&self) -> Pos {
        match self {
            Expr::Var(i) | Expr::Const(i) | Expr::Term(i, _) => i.1,
            Expr::Int(_, p) | Expr::Bool(_, p) | Expr::Let(_, _, p) => *p,
        }
    }
}
