//! Semantic analysis: names resolved, types checked, rules typed, and the checks that
//! need the whole program (recursion, unused variables).

use crate::ast::{self, Def, Expr, Ident, Pattern};
use crate::error::{Error, ErrorKind, Pos};
use std::collections::{BTreeMap, HashMap};

/// A type's index.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub struct TypeId(pub usize);
/// A term's index.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub struct TermId(pub usize);
/// A rule variable's index (per rule).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub struct VarId(pub usize);

/// What a type is.
#[derive(Clone, Debug)]
pub enum TypeKind {
    /// A Rust type named as given.
    Primitive(String),
    /// An enum, generated unless extern.
    Enum {
        /// Whether it is defined in Rust already.
        is_extern: bool,
        /// Its variants.
        variants: Vec<VariantInfo>,
    },
}

/// A type.
#[derive(Clone, Debug)]
pub struct TypeInfo {
    /// The ISLE name.
    pub name: String,
    /// What it is.
    pub kind: TypeKind,
    /// Where it is defined.
    pub pos: Pos,
}

impl TypeInfo {
    /// The Rust spelling.
    pub fn rust_name(&self) -> &str {
        match &self.kind {
            TypeKind::Primitive(r) => r,
            TypeKind::Enum { .. } => &self.name,
        }
    }
}

/// An enum variant.
#[derive(Clone, Debug)]
pub struct VariantInfo {
    /// The name.
    pub name: String,
    /// Field names and types.
    pub fields: Vec<(String, TypeId)>,
}

/// How a term is constructed, if it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Constructor {
    /// Not a constructor.
    None,
    /// By a `Context` method.
    Extern(String),
    /// By its rules.
    Internal,
}

/// How a term is matched in patterns, if it is.
#[derive(Clone, Debug)]
pub enum Extractor {
    /// Not an extractor.
    None,
    /// By a `Context` method.
    Extern {
        /// The method.
        func: String,
        /// Whether it always succeeds.
        infallible: bool,
    },
    /// By expanding a pattern template.
    Internal {
        /// Parameter names.
        args: Vec<String>,
        /// The template.
        template: Pattern,
    },
}

/// A term.
#[derive(Clone, Debug)]
pub struct TermInfo {
    /// The name.
    pub name: String,
    /// Argument types.
    pub args: Vec<TypeId>,
    /// Result type.
    pub ret: TypeId,
    /// Allowed in `if-let`.
    pub pure: bool,
    /// Produces any number of results.
    pub multi: bool,
    /// May fail.
    pub partial: bool,
    /// May recurse.
    pub rec: bool,
    /// Where declared.
    pub pos: Pos,
    /// Its constructor.
    pub constructor: Constructor,
    /// Its extractor.
    pub extractor: Extractor,
}

impl TermInfo {
    /// Whether calling it as a constructor can fail (partial or multi).
    pub fn fallible(&self) -> bool {
        self.partial || self.multi
    }
}

/// A typed pattern.
#[derive(Clone, Debug, PartialEq)]
pub enum TPattern {
    /// Binds the variable and matches the sub-pattern.
    Bind(VarId, Box<TPattern>),
    /// Equal to an already bound variable.
    Equal(VarId),
    /// An integer constant of a primitive type.
    Int(i128),
    /// A boolean constant.
    Bool(bool),
    /// An extern constant.
    Const(String),
    /// Anything.
    Wildcard,
    /// An enum variant with field patterns.
    Variant(TypeId, usize, Vec<TPattern>),
    /// An extern extractor with patterns for its outputs.
    Extract(TermId, Vec<TPattern>),
    /// All of these.
    And(Vec<TPattern>),
}

/// A typed expression.
#[derive(Clone, Debug, PartialEq)]
pub enum TExpr {
    /// A variable.
    Var(VarId),
    /// An integer constant.
    Int(i128, TypeId),
    /// A boolean constant.
    Bool(bool),
    /// An extern constant.
    Const(String),
    /// A constructor call.
    Call(TermId, Vec<TExpr>),
    /// An enum variant.
    Variant(TypeId, usize, Vec<TExpr>),
    /// `let` bindings, then the body.
    Let(Vec<(VarId, TypeId, TExpr)>, Box<TExpr>),
}

/// A typed rule.
#[derive(Clone, Debug)]
pub struct RuleInfo {
    /// Its name, if any.
    pub name: Option<String>,
    /// The term it defines.
    pub term: TermId,
    /// Its priority.
    pub prio: i64,
    /// Patterns for the term's arguments.
    pub args: Vec<TPattern>,
    /// Conditions.
    pub iflets: Vec<(TPattern, TExpr)>,
    /// The result.
    pub rhs: TExpr,
    /// Variables: name and type.
    pub vars: Vec<(String, TypeId)>,
    /// Where.
    pub pos: Pos,
}

/// The checked program.
#[derive(Clone, Debug, Default)]
pub struct TermEnv {
    /// Types.
    pub types: Vec<TypeInfo>,
    /// Terms.
    pub terms: Vec<TermInfo>,
    /// Rules, in source order.
    pub rules: Vec<RuleInfo>,
    /// Extern constants and their types.
    pub consts: HashMap<String, TypeId>,
    /// Pairs of named rules allowed to overlap.
    pub overlap_ok: Vec<(String, String)>,
    type_by_name: HashMap<String, TypeId>,
    term_by_name: HashMap<String, TermId>,
    converters: HashMap<(TypeId, TypeId), TermId>,
}

/// Collects errors, so one compilation reports many.
struct Sink(Vec<Error>);

impl Sink {
    fn err(&mut self, kind: ErrorKind, pos: Pos, msg: impl Into<String>) {
        self.0.push(Error::new(kind, pos, msg));
    }
}

/// Per-rule variable scope.
struct Scope {
    vars: Vec<(String, TypeId, Pos)>,
    /// Visible names, innermost last (for `let` shadowing).
    visible: Vec<(String, VarId)>,
    used: Vec<bool>,
}

impl Scope {
    fn lookup(&self, name: &str) -> Option<VarId> {
        self.visible
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| *v)
    }

    fn bind(&mut self, name: &str, ty: TypeId, pos: Pos) -> VarId {
        let id = VarId(self.vars.len());
        self.vars.push((name.to_string(), ty, pos));
        self.used.push(false);
        self.visible.push((name.to_string(), id));
        id
    }
}

/// What an expression is checked for.
#[derive(Clone, Copy)]
struct ExprCtx {
    /// Inside `if-let`: only pure terms.
    in_iflet: bool,
    /// In a multi term's rule: multi terms may be called.
    allow_multi: bool,
}

impl TermEnv {
    /// The type named `name`.
    pub fn type_named(&self, name: &str) -> Option<TypeId> {
        self.type_by_name.get(name).copied()
    }

    /// The term named `name`.
    pub fn term_named(&self, name: &str) -> Option<TermId> {
        self.term_by_name.get(name).copied()
    }

    /// Checks `defs` (from every file) into a program.
    ///
    /// # Errors
    /// Every error found.
    pub fn from_defs(defs: &[Def]) -> Result<TermEnv, Vec<Error>> {
        let mut env = TermEnv::default();
        let mut sink = Sink(Vec::new());
        env.collect_types(defs, &mut sink);
        env.collect_terms(defs, &mut sink);
        env.collect_externs(defs, &mut sink);
        env.collect_rules(defs, &mut sink);
        if sink.0.is_empty() {
            env.check_recursion(&mut sink);
        }
        if sink.0.is_empty() {
            Ok(env)
        } else {
            Err(sink.0)
        }
    }

    fn resolve_type(&self, id: &Ident, sink: &mut Sink) -> Option<TypeId> {
        let t = self.type_by_name.get(&id.0).copied();
        if t.is_none() {
            sink.err(
                ErrorKind::UnknownName,
                id.1,
                format!("unknown type `{}`", id.0),
            );
        }
        t
    }

    fn collect_types(&mut self, defs: &[Def], sink: &mut Sink) {
        // Names first, so types may refer to each other in any order.
        for def in defs {
            if let Def::Type { name, pos, .. } = def {
                if let Some(prev) = self.type_by_name.get(&name.0) {
                    let e = Error::new(
                        ErrorKind::Duplicate,
                        name.1,
                        format!("type `{}` is defined twice", name.0),
                    )
                    .with_related(self.types[prev.0].pos, "first defined here");
                    sink.0.push(e);
                    continue;
                }
                let id = TypeId(self.types.len());
                self.type_by_name.insert(name.0.clone(), id);
                self.types.push(TypeInfo {
                    name: name.0.clone(),
                    kind: TypeKind::Primitive(String::new()),
                    pos: *pos,
                });
            }
        }
        for def in defs {
            let Def::Type {
                name,
                is_extern,
                value,
                ..
            } = def
            else {
                continue;
            };
            let Some(&id) = self.type_by_name.get(&name.0) else {
                continue;
            };
            if self.types[id.0].name != name.0 {
                continue;
            }
            let kind = match value {
                ast::TypeValue::Primitive(r) => TypeKind::Primitive(r.0.clone()),
                ast::TypeValue::Enum(vs) => {
                    let mut variants: Vec<VariantInfo> = Vec::new();
                    for v in vs {
                        if variants.iter().any(|x| x.name == v.name.0) {
                            sink.err(
                                ErrorKind::Duplicate,
                                v.name.1,
                                format!("variant `{}` is defined twice", v.name.0),
                            );
                            continue;
                        }
                        let mut fields = Vec::new();
                        for (f, t) in &v.fields {
                            if let Some(t) = self.resolve_type(t, sink) {
                                fields.push((f.0.clone(), t));
                            }
                        }
                        variants.push(VariantInfo {
                            name: v.name.0.clone(),
                            fields,
                        });
                    }
                    TypeKind::Enum {
                        is_extern: *is_extern,
                        variants,
                    }
                }
            };
            self.types[id.0].kind = kind;
        }
    }

    fn collect_terms(&mut self, defs: &[Def], sink: &mut Sink) {
        for def in defs {
            let Def::Decl(d) = def else { continue };
            if let Some(prev) = self.term_by_name.get(&d.term.0) {
                let e = Error::new(
                    ErrorKind::Duplicate,
                    d.term.1,
                    format!("term `{}` is declared twice", d.term.0),
                )
                .with_related(self.terms[prev.0].pos, "first declared here");
                sink.0.push(e);
                continue;
            }
            let args: Vec<Option<TypeId>> =
                d.args.iter().map(|a| self.resolve_type(a, sink)).collect();
            let ret = self.resolve_type(&d.ret, sink);
            let (Some(ret), Some(args)) = (ret, args.into_iter().collect::<Option<Vec<_>>>())
            else {
                continue;
            };
            let id = TermId(self.terms.len());
            self.term_by_name.insert(d.term.0.clone(), id);
            self.terms.push(TermInfo {
                name: d.term.0.clone(),
                args,
                ret,
                pure: d.pure,
                multi: d.multi,
                partial: d.partial,
                rec: d.rec,
                pos: d.pos,
                constructor: Constructor::None,
                extractor: Extractor::None,
            });
        }
    }

    fn term_for(&self, id: &Ident, sink: &mut Sink) -> Option<TermId> {
        let t = self.term_by_name.get(&id.0).copied();
        if t.is_none() {
            sink.err(
                ErrorKind::UnknownName,
                id.1,
                format!("unknown term `{}`", id.0),
            );
        }
        t
    }

    fn collect_externs(&mut self, defs: &[Def], sink: &mut Sink) {
        for def in defs {
            match def {
                Def::ExternConstructor { term, func, .. } => {
                    let Some(t) = self.term_for(term, sink) else {
                        continue;
                    };
                    if self.terms[t.0].constructor != Constructor::None {
                        sink.err(
                            ErrorKind::Duplicate,
                            term.1,
                            format!("term `{}` already has a constructor", term.0),
                        );
                    }
                    self.terms[t.0].constructor = Constructor::Extern(func.0.clone());
                }
                Def::ExternExtractor {
                    term,
                    func,
                    infallible,
                    ..
                } => {
                    let Some(t) = self.term_for(term, sink) else {
                        continue;
                    };
                    if !matches!(self.terms[t.0].extractor, Extractor::None) {
                        sink.err(
                            ErrorKind::Duplicate,
                            term.1,
                            format!("term `{}` already has an extractor", term.0),
                        );
                    }
                    self.terms[t.0].extractor = Extractor::Extern {
                        func: func.0.clone(),
                        infallible: *infallible,
                    };
                }
                Def::Extractor {
                    term,
                    args,
                    template,
                    ..
                } => {
                    let Some(t) = self.term_for(term, sink) else {
                        continue;
                    };
                    if !matches!(self.terms[t.0].extractor, Extractor::None) {
                        sink.err(
                            ErrorKind::Duplicate,
                            term.1,
                            format!("term `{}` already has an extractor", term.0),
                        );
                    }
                    if args.len() != self.terms[t.0].args.len() {
                        sink.err(
                            ErrorKind::Arity,
                            term.1,
                            format!(
                                "extractor `{}` takes {} parameter(s), the term has {}",
                                term.0,
                                args.len(),
                                self.terms[t.0].args.len()
                            ),
                        );
                    }
                    self.terms[t.0].extractor = Extractor::Internal {
                        args: args.iter().map(|a| a.0.clone()).collect(),
                        template: template.clone(),
                    };
                }
                Def::ExternConst { name, ty, .. } => {
                    if let Some(t) = self.resolve_type(ty, sink) {
                        if self.consts.insert(name.0.clone(), t).is_some() {
                            sink.err(
                                ErrorKind::Duplicate,
                                name.1,
                                format!("constant `{}` is defined twice", name.0),
                            );
                        }
                    }
                }
                Def::Convert { from, to, term, .. } => {
                    let (Some(f), Some(t), Some(c)) = (
                        self.resolve_type(from, sink),
                        self.resolve_type(to, sink),
                        self.term_for(term, sink),
                    ) else {
                        continue;
                    };
                    let info = &self.terms[c.0];
                    if info.args != [f] || info.ret != t {
                        sink.err(
                            ErrorKind::TypeMismatch,
                            term.1,
                            format!(
                                "converter `{}` must take `{}` and return `{}`",
                                term.0, from.0, to.0
                            ),
                        );
                    }
                    if self.converters.insert((f, t), c).is_some() {
                        sink.err(
                            ErrorKind::Duplicate,
                            term.1,
                            format!(
                                "a conversion from `{}` to `{}` is defined twice",
                                from.0, to.0
                            ),
                        );
                    }
                }
                Def::OverlapOk(a, b) => self.overlap_ok.push((a.0.clone(), b.0.clone())),
                _ => {}
            }
        }
        // Terms defined by rules are internal constructors.
        for def in defs {
            if let Def::Rule(r) = def {
                if let Pattern::Term(head, _) = &r.pattern {
                    if let Some(&t) = self.term_by_name.get(&head.0) {
                        match self.terms[t.0].constructor {
                            Constructor::Extern(_) => sink.err(
                                ErrorKind::BadTermUse,
                                head.1,
                                format!("term `{}` has an extern constructor and cannot also have rules", head.0),
                            ),
                            _ => self.terms[t.0].constructor = Constructor::Internal,
                        }
                    }
                }
            }
        }
    }

    fn collect_rules(&mut self, defs: &[Def], sink: &mut Sink) {
        let mut names: HashMap<String, Pos> = HashMap::new();
        for def in defs {
            let Def::Rule(r) = def else { continue };
            if let Some(n) = &r.name {
                if let Some(prev) = names.insert(n.0.clone(), n.1) {
                    sink.0.push(
                        Error::new(
                            ErrorKind::Duplicate,
                            n.1,
                            format!("rule `{}` is defined twice", n.0),
                        )
                        .with_related(prev, "first defined here"),
                    );
                }
            }
            if let Some(rule) = self.check_rule(r, sink) {
                self.rules.push(rule);
            }
        }
        for (a, b) in &self.overlap_ok {
            for n in [a, b] {
                if !names.contains_key(n) {
                    sink.err(
                        ErrorKind::UnknownName,
                        Pos::default(),
                        format!("`overlap-ok` names unknown rule `{n}`"),
                    );
                }
            }
        }
    }

    fn check_rule(&self, r: &ast::Rule, sink: &mut Sink) -> Option<RuleInfo> {
        let Pattern::Term(head, args) = &r.pattern else {
            sink.err(
                ErrorKind::Parse,
                r.pattern.pos(),
                "a rule's left-hand side must be `(term patterns...)`",
            );
            return None;
        };
        let term = self.term_for(head, sink)?;
        let info = &self.terms[term.0];
        if args.len() != info.args.len() {
            sink.err(
                ErrorKind::Arity,
                head.1,
                format!(
                    "term `{}` takes {} argument(s), {} given",
                    head.0,
                    info.args.len(),
                    args.len()
                ),
            );
            return None;
        }
        let before = sink.0.len();
        let mut scope = Scope {
            vars: Vec::new(),
            visible: Vec::new(),
            used: Vec::new(),
        };
        let targs: Vec<TPattern> = args
            .iter()
            .zip(info.args.clone())
            .map(|(p, t)| self.check_pattern(p, t, &mut scope, sink, 0))
            .collect();
        let mut iflets = Vec::new();
        for il in &r.iflets {
            let ectx = ExprCtx {
                in_iflet: true,
                allow_multi: false,
            };
            let Some((e, ty)) = self.check_expr(&il.expr, None, &mut scope, sink, ectx) else {
                continue;
            };
            let p = self.check_pattern(&il.pattern, ty, &mut scope, sink, 0);
            iflets.push((p, e));
        }
        let ectx = ExprCtx {
            in_iflet: false,
            allow_multi: info.multi,
        };
        let rhs = self
            .check_expr(&r.expr, Some(info.ret), &mut scope, sink, ectx)
            .map(|(e, _)| e);
        for (i, (name, _, pos)) in scope.vars.iter().enumerate() {
            if !scope.used[i] && !name.starts_with('_') {
                sink.err(
                    ErrorKind::UnusedVariable,
                    *pos,
                    format!(
                        "variable `{name}` is never used (prefix it with `_` if that is intended)"
                    ),
                );
            }
        }
        if sink.0.len() > before {
            return None;
        }
        Some(RuleInfo {
            name: r.name.as_ref().map(|n| n.0.clone()),
            term,
            prio: r.prio,
            args: targs,
            iflets,
            rhs: rhs?,
            vars: scope.vars.into_iter().map(|(n, t, _)| (n, t)).collect(),
            pos: r.pos,
        })
    }

    fn type_name(&self, t: TypeId) -> &str {
        &self.types[t.0].name
    }

    fn variant(&self, id: &Ident, sink: &mut Sink) -> Option<(TypeId, usize)> {
        let (ty, var) = id.0.split_once('.')?;
        let Some(&t) = self.type_by_name.get(ty) else {
            sink.err(ErrorKind::UnknownName, id.1, format!("unknown type `{ty}`"));
            return Some((TypeId(usize::MAX), 0));
        };
        let TypeKind::Enum { variants, .. } = &self.types[t.0].kind else {
            sink.err(
                ErrorKind::BadTermUse,
                id.1,
                format!("type `{ty}` is not an enum"),
            );
            return Some((TypeId(usize::MAX), 0));
        };
        match variants.iter().position(|v| v.name == var) {
            Some(i) => Some((t, i)),
            None => {
                sink.err(
                    ErrorKind::UnknownName,
                    id.1,
                    format!("enum `{ty}` has no variant `{var}`"),
                );
                Some((TypeId(usize::MAX), 0))
            }
        }
    }

    fn check_pattern(
        &self,
        p: &Pattern,
        ty: TypeId,
        scope: &mut Scope,
        sink: &mut Sink,
        depth: usize,
    ) -> TPattern {
        match p {
            Pattern::Wildcard(_) => TPattern::Wildcard,
            Pattern::Var(id) => match scope.lookup(&id.0) {
                Some(v) => {
                    scope.used[v.0] = true;
                    let vt = scope.vars[v.0].1;
                    if vt != ty {
                        sink.err(
                            ErrorKind::TypeMismatch,
                            id.1,
                            format!(
                                "`{}` has type `{}`, expected `{}`",
                                id.0,
                                self.type_name(vt),
                                self.type_name(ty)
                            ),
                        );
                    }
                    TPattern::Equal(v)
                }
                None => TPattern::Bind(scope.bind(&id.0, ty, id.1), Box::new(TPattern::Wildcard)),
            },
            Pattern::Bind(id, sub) => {
                if scope.lookup(&id.0).is_some() {
                    sink.err(
                        ErrorKind::Duplicate,
                        id.1,
                        format!("variable `{}` is already bound", id.0),
                    );
                }
                let v = scope.bind(&id.0, ty, id.1);
                let sub = self.check_pattern(sub, ty, scope, sink, depth);
                TPattern::Bind(v, Box::new(sub))
            }
            Pattern::Int(v, pos) => {
                self.expect_primitive(ty, *pos, "an integer constant", sink);
                TPattern::Int(*v)
            }
            Pattern::Bool(b, pos) => {
                self.expect_primitive(ty, *pos, "a boolean constant", sink);
                TPattern::Bool(*b)
            }
            Pattern::Const(id) => {
                self.check_const(id, ty, sink);
                TPattern::Const(id.0[1..].to_string())
            }
            Pattern::And(ps, _) => TPattern::And(
                ps.iter()
                    .map(|p| self.check_pattern(p, ty, scope, sink, depth))
                    .collect(),
            ),
            Pattern::Term(head, args) => {
                if let Some((t, vi)) = self.variant(head, sink) {
                    if t.0 == usize::MAX {
                        return TPattern::Wildcard;
                    }
                    if t != ty {
                        sink.err(
                            ErrorKind::TypeMismatch,
                            head.1,
                            format!(
                                "`{}` has type `{}`, expected `{}`",
                                head.0,
                                self.type_name(t),
                                self.type_name(ty)
                            ),
                        );
                        return TPattern::Wildcard;
                    }
                    let TypeKind::Enum { variants, .. } = &self.types[t.0].kind else {
                        unreachable!()
                    };
                    let fields = variants[vi].fields.clone();
                    if fields.len() != args.len() {
                        sink.err(
                            ErrorKind::Arity,
                            head.1,
                            format!(
                                "`{}` has {} field(s), {} pattern(s) given",
                                head.0,
                                fields.len(),
                                args.len()
                            ),
                        );
                        return TPattern::Wildcard;
                    }
                    let sub = args
                        .iter()
                        .zip(&fields)
                        .map(|(p, (_, ft))| self.check_pattern(p, *ft, scope, sink, depth))
                        .collect();
                    return TPattern::Variant(t, vi, sub);
                }
                let Some(term) = self.term_for(head, sink) else {
                    return TPattern::Wildcard;
                };
                let info = &self.terms[term.0];
                if info.ret != ty {
                    sink.err(
                        ErrorKind::TypeMismatch,
                        head.1,
                        format!(
                            "extractor `{}` matches `{}`, expected `{}`",
                            head.0,
                            self.type_name(info.ret),
                            self.type_name(ty)
                        ),
                    );
                    return TPattern::Wildcard;
                }
                if args.len() != info.args.len() {
                    sink.err(
                        ErrorKind::Arity,
                        head.1,
                        format!(
                            "term `{}` takes {} argument(s), {} given",
                            head.0,
                            info.args.len(),
                            args.len()
                        ),
                    );
                    return TPattern::Wildcard;
                }
                match &info.extractor {
                    Extractor::None => {
                        sink.err(
                            ErrorKind::BadTermUse,
                            head.1,
                            format!(
                                "term `{}` has no extractor, so it cannot be used in a pattern",
                                head.0
                            ),
                        );
                        TPattern::Wildcard
                    }
                    Extractor::Extern { .. } => {
                        let sub = args
                            .iter()
                            .zip(info.args.clone())
                            .map(|(p, t)| self.check_pattern(p, t, scope, sink, depth))
                            .collect();
                        TPattern::Extract(term, sub)
                    }
                    Extractor::Internal {
                        args: params,
                        template,
                    } => {
                        if depth > 32 {
                            sink.err(
                                ErrorKind::Recursion,
                                head.1,
                                format!("extractor `{}` expands into itself", head.0),
                            );
                            return TPattern::Wildcard;
                        }
                        let bindings: HashMap<&str, &Pattern> =
                            params.iter().map(String::as_str).zip(args).collect();
                        let expanded = substitute(template, &bindings, head.1);
                        self.check_pattern(&expanded, ty, scope, sink, depth + 1)
                    }
                }
            }
        }
    }

    fn expect_primitive(&self, ty: TypeId, pos: Pos, what: &str, sink: &mut Sink) {
        if !matches!(self.types[ty.0].kind, TypeKind::Primitive(_)) {
            sink.err(
                ErrorKind::TypeMismatch,
                pos,
                format!("{what} cannot have the enum type `{}`", self.type_name(ty)),
            );
        }
    }

    fn check_const(&self, id: &Ident, ty: TypeId, sink: &mut Sink) {
        match self.consts.get(&id.0) {
            None => sink.err(
                ErrorKind::UnknownName,
                id.1,
                format!("unknown constant `{}`", id.0),
            ),
            Some(&t) if t != ty => sink.err(
                ErrorKind::TypeMismatch,
                id.1,
                format!(
                    "constant `{}` has type `{}`, expected `{}`",
                    id.0,
                    self.type_name(t),
                    self.type_name(ty)
                ),
            ),
            Some(_) => {}
        }
    }

    /// Wraps `e` of type `from` into a conversion to `to`, if one is declared.
    fn convert(
        &self,
        e: TExpr,
        from: TypeId,
        to: Option<TypeId>,
        pos: Pos,
        sink: &mut Sink,
    ) -> Option<(TExpr, TypeId)> {
        let Some(to) = to else { return Some((e, from)) };
        if from == to {
            return Some((e, from));
        }
        match self.converters.get(&(from, to)) {
            Some(&c) => Some((TExpr::Call(c, vec![e]), to)),
            None => {
                sink.err(
                    ErrorKind::TypeMismatch,
                    pos,
                    format!(
                        "expression has type `{}`, expected `{}` (and no `convert` between them)",
                        self.type_name(from),
                        self.type_name(to)
                    ),
                );
                None
            }
        }
    }

    fn check_expr(
        &self,
        e: &Expr,
        expected: Option<TypeId>,
        scope: &mut Scope,
        sink: &mut Sink,
        ectx: ExprCtx,
    ) -> Option<(TExpr, TypeId)> {
        match e {
            Expr::Var(id) => {
                let Some(v) = scope.lookup(&id.0) else {
                    sink.err(
                        ErrorKind::UnknownName,
                        id.1,
                        format!("unknown variable `{}`", id.0),
                    );
                    return None;
                };
                scope.used[v.0] = true;
                let t = scope.vars[v.0].1;
                self.convert(TExpr::Var(v), t, expected, id.1, sink)
            }
            Expr::Int(v, pos) => {
                let Some(t) = expected else {
                    sink.err(
                        ErrorKind::TypeMismatch,
                        *pos,
                        "the type of this integer constant is unknown here",
                    );
                    return None;
                };
                self.expect_primitive(t, *pos, "an integer constant", sink);
                Some((TExpr::Int(*v, t), t))
            }
            Expr::Bool(b, pos) => {
                let Some(t) = expected else {
                    sink.err(
                        ErrorKind::TypeMismatch,
                        *pos,
                        "the type of this boolean constant is unknown here",
                    );
                    return None;
                };
                self.expect_primitive(t, *pos, "a boolean constant", sink);
                Some((TExpr::Bool(*b), t))
            }
            Expr::Const(id) => {
                let Some(&t) = self.consts.get(&id.0) else {
                    sink.err(
                        ErrorKind::UnknownName,
                        id.1,
                        format!("unknown constant `{}`", id.0),
                    );
                    return None;
                };
                self.convert(TExpr::Const(id.0[1..].to_string()), t, expected, id.1, sink)
            }
            Expr::Let(defs, body, _) => {
                let mark = scope.visible.len();
                let mut binds = Vec::new();
                for (name, ty, value) in defs {
                    let t = self.resolve_type(ty, sink)?;
                    let (v, _) = self.check_expr(value, Some(t), scope, sink, ectx)?;
                    let id = scope.bind(&name.0, t, name.1);
                    binds.push((id, t, v));
                }
                let r = self.check_expr(body, expected, scope, sink, ectx);
                scope.visible.truncate(mark);
                let (b, t) = r?;
                Some((TExpr::Let(binds, Box::new(b)), t))
            }
            Expr::Term(head, args) => {
                if let Some((t, vi)) = self.variant(head, sink) {
                    if t.0 == usize::MAX {
                        return None;
                    }
                    let TypeKind::Enum { variants, .. } = &self.types[t.0].kind else {
                        unreachable!()
                    };
                    let fields = variants[vi].fields.clone();
                    if fields.len() != args.len() {
                        sink.err(
                            ErrorKind::Arity,
                            head.1,
                            format!(
                                "`{}` has {} field(s), {} given",
                                head.0,
                                fields.len(),
                                args.len()
                            ),
                        );
                        return None;
                    }
                    let mut targs = Vec::new();
                    for (a, (_, ft)) in args.iter().zip(&fields) {
                        targs.push(self.check_expr(a, Some(*ft), scope, sink, ectx)?.0);
                    }
                    return self.convert(TExpr::Variant(t, vi, targs), t, expected, head.1, sink);
                }
                let term = self.term_for(head, sink)?;
                let info = &self.terms[term.0];
                if info.constructor == Constructor::None {
                    sink.err(
                        ErrorKind::BadTermUse,
                        head.1,
                        format!(
                            "term `{}` has no constructor, so it cannot be called",
                            head.0
                        ),
                    );
                    return None;
                }
                if ectx.in_iflet && !info.pure {
                    sink.err(
                        ErrorKind::BadTermUse,
                        head.1,
                        format!(
                            "term `{}` is not `pure`, so it cannot be called in `if-let` or `if`",
                            head.0
                        ),
                    );
                    return None;
                }
                if info.multi && !ectx.allow_multi {
                    sink.err(
                        ErrorKind::BadTermUse,
                        head.1,
                        format!(
                            "multi term `{}` can only be called from rules of a multi term",
                            head.0
                        ),
                    );
                    return None;
                }
                if args.len() != info.args.len() {
                    sink.err(
                        ErrorKind::Arity,
                        head.1,
                        format!(
                            "term `{}` takes {} argument(s), {} given",
                            head.0,
                            info.args.len(),
                            args.len()
                        ),
                    );
                    return None;
                }
                let mut targs = Vec::new();
                for (a, t) in args.iter().zip(info.args.clone()) {
                    targs.push(self.check_expr(a, Some(t), scope, sink, ectx)?.0);
                }
                self.convert(TExpr::Call(term, targs), info.ret, expected, head.1, sink)
            }
        }
    }

    /// Internal constructors that call each other in a cycle must all be `rec`.
    fn check_recursion(&self, sink: &mut Sink) {
        let mut calls: BTreeMap<TermId, Vec<TermId>> = BTreeMap::new();
        for r in &self.rules {
            let mut out = Vec::new();
            collect_calls(&r.rhs, &mut out);
            for (_, e) in &r.iflets {
                collect_calls(e, &mut out);
            }
            let entry = calls.entry(r.term).or_default();
            for t in out {
                if self.terms[t.0].constructor == Constructor::Internal && !entry.contains(&t) {
                    entry.push(t);
                }
            }
        }
        // A term is on a cycle if it reaches itself.
        for &start in calls.keys() {
            if self.terms[start.0].rec {
                continue;
            }
            let mut seen = vec![start];
            let mut stack: Vec<TermId> = calls.get(&start).cloned().unwrap_or_default();
            while let Some(t) = stack.pop() {
                if t == start {
                    let info = &self.terms[start.0];
                    sink.err(ErrorKind::Recursion, info.pos, format!("term `{}` calls itself (through its rules); declare it `rec` if that is intended", info.name));
                    break;
                }
                if !seen.contains(&t) {
                    seen.push(t);
                    stack.extend(calls.get(&t).cloned().unwrap_or_default());
                }
            }
        }
    }
}

fn collect_calls(e: &TExpr, out: &mut Vec<TermId>) {
    match e {
        TExpr::Call(t, args) => {
            out.push(*t);
            for a in args {
                collect_calls(a, out);
            }
        }
        TExpr::Variant(_, _, args) => {
            for a in args {
                collect_calls(a, out);
            }
        }
        TExpr::Let(binds, body) => {
            for (_, _, v) in binds {
                collect_calls(v, out);
            }
            collect_calls(body, out);
        }
        _ => {}
    }
}

/// Replaces the macro parameters in an internal extractor's template.
fn substitute(p: &Pattern, args: &HashMap<&str, &Pattern>, at: Pos) -> Pattern {
    match p {
        Pattern::Var(id) => match args.get(id.0.as_str()) {
            Some(a) => (*a).clone(),
            None => Pattern::Var(Ident(id.0.clone(), at)),
        },
        Pattern::Bind(id, sub) => Pattern::Bind(id.clone(), Box::new(substitute(sub, args, at))),
        Pattern::Term(h, subs) => Pattern::Term(
            Ident(h.0.clone(), at),
            subs.iter().map(|s| substitute(s, args, at)).collect(),
        ),
        Pattern::And(subs, pos) => {
            Pattern::And(subs.iter().map(|s| substitute(s, args, at)).collect(), *pos)
        }
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lexer::lex;
    use crate::parser::parse;

    fn check(src: &str) -> Result<TermEnv, Vec<Error>> {
        let toks = lex(src, 0).unwrap();
        TermEnv::from_defs(&parse(&toks, Pos::default()).unwrap())
    }

    #[test]
    fn terms_and_rules_are_typed() {
        let env = check(
            "(type u8 (primitive u8)) (type u32 (primitive u32))
             (decl widen (u8) u32) (extern constructor widen widen) (convert u8 u32 widen)
             (decl f (u8) u32) (rule (f x) x)",
        )
        .unwrap();
        let f = env.term_named("f").unwrap();
        assert_eq!(env.terms[f.0].constructor, Constructor::Internal);
        // The right-hand side got the conversion.
        let widen = env.term_named("widen").unwrap();
        assert_eq!(
            env.rules[0].rhs,
            TExpr::Call(widen, vec![TExpr::Var(VarId(0))])
        );
    }

    #[test]
    fn let_underscore_is_for_effect_only() {
        let prog = "(type u32 (primitive u32)) (type Unit (primitive Unit))
             (decl side (u32) Unit) (extern constructor side side)
             (decl f (u32) u32)";
        // `_` may be bound any number of times and is never unused...
        let ok = format!("{prog} (rule (f x) (let ((_ Unit (side x)) (_ Unit (side x))) x))");
        assert!(check(&ok).is_ok());
        // ...but it names nothing.
        let bad = format!("{prog} (rule (f x) (let ((_ Unit (side x))) _))");
        assert!(parse(&lex(&bad, 0).unwrap(), Pos::default()).is_err());
    }

    #[test]
    fn internal_extractors_expand() {
        let env = check(
            "(type u32 (primitive u32)) (type E (enum (P (a u32) (b u32))))
             (decl same (u32) E) (extractor (same x) (E.P x x))
             (decl f (E) u32) (rule (f (same y)) y)",
        )
        .unwrap();
        let TPattern::Variant(_, 0, fields) = &env.rules[0].args[0] else {
            panic!("{:?}", env.rules[0].args)
        };
        assert!(matches!(fields[0], TPattern::Bind(..)) && matches!(fields[1], TPattern::Equal(_)));
    }

    #[test]
    fn several_errors_are_reported() {
        let errs = check("(decl f (nope) alsonope)").unwrap_err();
        assert_eq!(errs.len(), 2);
        assert!(errs.iter().all(|e| e.kind == ErrorKind::UnknownName));
    }
}
