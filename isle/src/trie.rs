//! Rules lowered to sequences of tests on named intermediate values ("bindings"), and the
//! decision trie that shares the tests common to consecutive rules.
//!
//! Bindings are interned per term by their structure (argument `i`; field `f` of variant
//! `v` of binding `b`; output `k` of extractor `t` on binding `b`), so the same test in two
//! rules is the same [`Step`] and the trie evaluates it once.

use crate::error::{Error, ErrorKind};
use crate::sema::{Extractor, RuleInfo, TExpr, TPattern, TermEnv, TermId, TypeId, VarId};
use std::collections::HashMap;

/// An interned binding.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub struct BindingId(pub usize);

/// How a binding's value is obtained.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum Binding {
    /// Argument `n` of the term.
    Arg(usize),
    /// Field `field` of `input` when it is variant `variant` of enum `ty`.
    Field {
        /// The enum value.
        input: BindingId,
        /// The enum type.
        ty: TypeId,
        /// The variant.
        variant: usize,
        /// The field.
        field: usize,
    },
    /// Output `index` of extractor `term` applied to `input`.
    Extracted {
        /// The matched value.
        input: BindingId,
        /// The extractor.
        term: TermId,
        /// Which output.
        index: usize,
    },
    /// The value of condition `index` of rule `rule`.
    IfLet {
        /// The rule.
        rule: usize,
        /// Which `if-let`.
        index: usize,
    },
}

/// A test or computation on bindings. Each may fail (then the rule does not match).
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum Step {
    /// `input` is variant `variant` of `ty`; its fields become bindings.
    Variant {
        /// The value.
        input: BindingId,
        /// The enum.
        ty: TypeId,
        /// The variant.
        variant: usize,
    },
    /// `input` equals an integer.
    Int {
        /// The value.
        input: BindingId,
        /// The constant.
        value: i128,
    },
    /// `input` is a boolean constant.
    Bool {
        /// The value.
        input: BindingId,
        /// The constant.
        value: bool,
    },
    /// `input` equals an extern constant.
    Const {
        /// The value.
        input: BindingId,
        /// The constant's Rust name.
        name: String,
    },
    /// Extractor `term` applied to `input` succeeds; its outputs become bindings.
    Extract {
        /// The value.
        input: BindingId,
        /// The extractor term.
        term: TermId,
    },
    /// Two bindings are equal.
    Eq(BindingId, BindingId),
    /// Condition `index` of rule `rule` evaluates (its expression may fail).
    IfLet {
        /// The rule.
        rule: usize,
        /// Which condition.
        index: usize,
    },
}

impl Step {
    /// The binding tested, for the tests that have one.
    fn input(&self) -> Option<BindingId> {
        match self {
            Step::Variant { input, .. }
            | Step::Int { input, .. }
            | Step::Bool { input, .. }
            | Step::Const { input, .. }
            | Step::Extract { input, .. } => Some(*input),
            _ => None,
        }
    }

    /// Whether `self` and `other` can never both hold.
    fn contradicts(&self, other: &Step) -> bool {
        if self.input() != other.input() || self.input().is_none() {
            return false;
        }
        match (self, other) {
            (
                Step::Variant {
                    ty: t1,
                    variant: v1,
                    ..
                },
                Step::Variant {
                    ty: t2,
                    variant: v2,
                    ..
                },
            ) => t1 == t2 && v1 != v2,
            (Step::Int { value: a, .. }, Step::Int { value: b, .. }) => a != b,
            (Step::Bool { value: a, .. }, Step::Bool { value: b, .. }) => a != b,
            _ => false,
        }
    }
}

/// A rule lowered to steps.
#[derive(Clone, Debug)]
pub struct LoweredRule {
    /// Index into `TermEnv::rules`.
    pub rule: usize,
    /// Its tests, in evaluation order.
    pub steps: Vec<Step>,
    /// The binding each rule variable is bound to.
    pub vars: HashMap<VarId, BindingId>,
    /// Per condition: the binding of its value.
    pub iflet_bindings: Vec<BindingId>,
}

/// The bindings of one term's rules.
#[derive(Clone, Debug, Default)]
pub struct Bindings {
    /// Every binding, by id.
    pub list: Vec<Binding>,
    index: HashMap<Binding, BindingId>,
}

impl Bindings {
    /// The id of `b`, interning it if new.
    pub fn intern(&mut self, b: Binding) -> BindingId {
        if let Some(&id) = self.index.get(&b) {
            return id;
        }
        let id = BindingId(self.list.len());
        self.list.push(b.clone());
        self.index.insert(b, id);
        id
    }

    /// The id of `b` if it was interned.
    pub fn get(&self, b: &Binding) -> Option<BindingId> {
        self.index.get(b).copied()
    }
}

struct Lowerer<'a> {
    env: &'a TermEnv,
    bindings: &'a mut Bindings,
    steps: Vec<Step>,
    vars: HashMap<VarId, BindingId>,
}

impl Lowerer<'_> {
    fn push(&mut self, s: Step) {
        if !self.steps.contains(&s) {
            self.steps.push(s);
        }
    }

    fn pattern(&mut self, p: &TPattern, input: BindingId) {
        match p {
            TPattern::Wildcard => {}
            TPattern::Bind(v, sub) => {
                self.vars.insert(*v, input);
                self.pattern(sub, input);
            }
            TPattern::Equal(v) => {
                let other = self.vars[v];
                if other != input {
                    let (a, b) = if other < input {
                        (other, input)
                    } else {
                        (input, other)
                    };
                    self.push(Step::Eq(a, b));
                }
            }
            TPattern::Int(value) => self.push(Step::Int {
                input,
                value: *value,
            }),
            TPattern::Bool(value) => self.push(Step::Bool {
                input,
                value: *value,
            }),
            TPattern::Const(name) => self.push(Step::Const {
                input,
                name: name.clone(),
            }),
            TPattern::Variant(ty, variant, fields) => {
                self.push(Step::Variant {
                    input,
                    ty: *ty,
                    variant: *variant,
                });
                for (field, sub) in fields.iter().enumerate() {
                    if *sub != TPattern::Wildcard {
                        let b = self.bindings.intern(Binding::Field {
                            input,
                            ty: *ty,
                            variant: *variant,
                            field,
                        });
                        self.pattern(sub, b);
                    }
                }
            }
            TPattern::Extract(term, outs) => {
                self.push(Step::Extract { input, term: *term });
                for (index, sub) in outs.iter().enumerate() {
                    if *sub != TPattern::Wildcard {
                        let b = self.bindings.intern(Binding::Extracted {
                            input,
                            term: *term,
                            index,
                        });
                        self.pattern(sub, b);
                    }
                }
            }
            TPattern::And(ps) => {
                for p in ps {
                    self.pattern(p, input);
                }
            }
        }
    }
}

/// Lowers rule `index` of `env` into steps, interning its bindings in `bindings`.
pub fn lower_rule(env: &TermEnv, index: usize, bindings: &mut Bindings) -> LoweredRule {
    let rule = &env.rules[index];
    let mut l = Lowerer {
        env,
        bindings,
        steps: Vec::new(),
        vars: HashMap::new(),
    };
    for (i, p) in rule.args.iter().enumerate() {
        let b = l.bindings.intern(Binding::Arg(i));
        l.pattern(p, b);
    }
    let mut iflet_bindings = Vec::new();
    for (i, (p, _)) in rule.iflets.iter().enumerate() {
        l.steps.push(Step::IfLet {
            rule: index,
            index: i,
        });
        let b = l.bindings.intern(Binding::IfLet {
            rule: index,
            index: i,
        });
        iflet_bindings.push(b);
        l.pattern(p, b);
    }
    let _ = l.env;
    LoweredRule {
        rule: index,
        steps: l.steps,
        vars: l.vars,
        iflet_bindings,
    }
}

/// A node of the decision trie: items tried in order.
#[derive(Clone, Debug, Default)]
pub struct Node {
    /// The items.
    pub items: Vec<Item>,
}

/// A trie item: a step leading to more items, or a rule's right-hand side.
#[derive(Clone, Debug)]
pub enum Item {
    /// If the step succeeds, try the child's items.
    Edge(Step, Node),
    /// Evaluate this rule's right-hand side.
    Leaf(usize),
}

impl Node {
    /// Adds a rule: shares a prefix with the last edge when its steps match, so the
    /// priority order of rules is kept.
    pub fn insert(&mut self, steps: &[Step], leaf: usize) {
        match steps.split_first() {
            None => self.items.push(Item::Leaf(leaf)),
            Some((first, rest)) => {
                if let Some(Item::Edge(s, child)) = self.items.last_mut() {
                    if s == first {
                        child.insert(rest, leaf);
                        return;
                    }
                }
                let mut child = Node::default();
                child.insert(rest, leaf);
                self.items.push(Item::Edge(first.clone(), child));
            }
        }
    }

    /// The number of edges in the trie (a measure of sharing).
    pub fn edge_count(&self) -> usize {
        self.items
            .iter()
            .map(|i| match i {
                Item::Edge(_, c) => 1 + c.edge_count(),
                Item::Leaf(_) => 0,
            })
            .sum()
    }
}

/// One term's compiled rules.
#[derive(Clone, Debug)]
pub struct TermTrie {
    /// The term.
    pub term: TermId,
    /// Its bindings.
    pub bindings: Bindings,
    /// Its rules, lowered, by rule index.
    pub rules: HashMap<usize, LoweredRule>,
    /// The trie.
    pub root: Node,
}

/// Whether the rule's right-hand side can fail (it calls a fallible constructor).
fn rhs_fallible(env: &TermEnv, e: &TExpr) -> bool {
    match e {
        TExpr::Call(t, args) => {
            env.terms[t.0].fallible() || args.iter().any(|a| rhs_fallible(env, a))
        }
        TExpr::Variant(_, _, args) => args.iter().any(|a| rhs_fallible(env, a)),
        TExpr::Let(binds, body) => {
            binds.iter().any(|(_, _, v)| rhs_fallible(env, v)) || rhs_fallible(env, body)
        }
        _ => false,
    }
}

/// Builds the trie of every term with rules, checking overlaps and unreachable rules.
///
/// # Errors
/// Overlapping rules of equal priority (not allowed by `overlap-ok`) and rules that an
/// earlier rule always shadows.
pub fn build(env: &TermEnv) -> Result<Vec<TermTrie>, Vec<Error>> {
    let mut by_term: HashMap<TermId, Vec<usize>> = HashMap::new();
    for (i, r) in env.rules.iter().enumerate() {
        by_term.entry(r.term).or_default().push(i);
    }
    let mut terms: Vec<TermId> = by_term.keys().copied().collect();
    terms.sort();
    let mut errors = Vec::new();
    let mut tries = Vec::new();
    for term in terms {
        let mut rule_ids = by_term.remove(&term).unwrap_or_default();
        // Highest priority first; source order among equals.
        rule_ids.sort_by_key(|&i| (std::cmp::Reverse(env.rules[i].prio), i));
        let mut bindings = Bindings::default();
        let lowered: Vec<LoweredRule> = rule_ids
            .iter()
            .map(|&i| lower_rule(env, i, &mut bindings))
            .collect();
        if !env.terms[term.0].multi {
            check_pairs(env, &lowered, &mut errors);
        }
        let mut root = Node::default();
        for l in &lowered {
            root.insert(&l.steps, l.rule);
        }
        tries.push(TermTrie {
            term,
            bindings,
            rules: lowered.into_iter().map(|l| (l.rule, l)).collect(),
            root,
        });
    }
    if errors.is_empty() {
        Ok(tries)
    } else {
        Err(errors)
    }
}

fn overlap_allowed(env: &TermEnv, a: &RuleInfo, b: &RuleInfo) -> bool {
    let (Some(na), Some(nb)) = (&a.name, &b.name) else {
        return false;
    };
    env.overlap_ok
        .iter()
        .any(|(x, y)| (x == na && y == nb) || (x == nb && y == na))
}

fn check_pairs(env: &TermEnv, rules: &[LoweredRule], errors: &mut Vec<Error>) {
    for (i, a) in rules.iter().enumerate() {
        for b in &rules[i + 1..] {
            let (ra, rb) = (&env.rules[a.rule], &env.rules[b.rule]);
            let disjoint = a
                .steps
                .iter()
                .any(|s| b.steps.iter().any(|t| s.contradicts(t)));
            if disjoint {
                continue;
            }
            if ra.prio == rb.prio {
                if !overlap_allowed(env, ra, rb) {
                    errors.push(
                        Error::new(
                            ErrorKind::Overlap,
                            rb.pos,
                            format!(
                                "this rule and another of term `{}` with the same priority {} can match the same input; give one a higher priority",
                                env.terms[ra.term.0].name, ra.prio
                            ),
                        )
                        .with_related(ra.pos, "the other rule"),
                    );
                }
            } else if a.steps.iter().all(|s| b.steps.contains(s))
                && !rhs_fallible(env, &ra.rhs)
                && !a.steps.iter().any(|s| matches!(s, Step::Extract { term, .. } if matches!(env.terms[term.0].extractor, Extractor::Extern { .. }) && env.terms[term.0].multi))
            {
                errors.push(
                    Error::new(
                        ErrorKind::UnreachableRule,
                        rb.pos,
                        "this rule never fires: a rule of higher priority matches everything it matches and cannot fail",
                    )
                    .with_related(ra.pos, "the rule that always fires first"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Pos;
    use crate::lexer::lex;
    use crate::parser::parse;

    fn env(src: &str) -> TermEnv {
        let toks = lex(src, 0).unwrap();
        let defs = parse(&toks, Pos::default()).unwrap();
        TermEnv::from_defs(&defs).unwrap()
    }

    const PROGRAM: &str = "
        (type u32 (primitive u32))
        (type E (enum (A (x u32) (y u32)) (B)))
        (decl f (E) u32)
        (rule 2 (f (E.A 1 _)) 10)
        (rule 2 (f (E.A 2 _)) 20)
        (rule 1 (f (E.A _ 3)) 30)
        (rule (f _) 0)
    ";

    #[test]
    fn shared_tests_are_evaluated_once() {
        let env = env(PROGRAM);
        let tries = build(&env).unwrap();
        assert_eq!(tries.len(), 1);
        let root = &tries[0].root;
        // The first two rules share the variant test: one edge at the root for both.
        let Item::Edge(Step::Variant { .. }, child) = &root.items[0] else {
            panic!("{root:?}")
        };
        assert_eq!(
            child.items.len(),
            3,
            "1, 2 and the third rule's field test under one variant edge"
        );
        // The default rule comes last, as a leaf at the root.
        assert!(matches!(root.items.last(), Some(Item::Leaf(3))));
        assert_eq!(root.edge_count(), 4);
    }

    #[test]
    fn steps_follow_pattern_order() {
        let env = env(PROGRAM);
        let mut b = Bindings::default();
        let l = lower_rule(&env, 2, &mut b);
        assert!(matches!(l.steps[0], Step::Variant { .. }));
        assert!(matches!(l.steps[1], Step::Int { value: 3, .. }));
        assert_eq!(l.steps.len(), 2);
    }

    #[test]
    fn contradictions_make_rules_disjoint() {
        let s1 = Step::Int {
            input: BindingId(0),
            value: 1,
        };
        let s2 = Step::Int {
            input: BindingId(0),
            value: 2,
        };
        let s3 = Step::Int {
            input: BindingId(1),
            value: 2,
        };
        assert!(s1.contradicts(&s2));
        assert!(!s1.contradicts(&s3));
        assert!(!s1.contradicts(&s1));
    }
}
