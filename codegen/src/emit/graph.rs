//! Facts about the type graph that need whole-graph answers: which types hold floats, and
//! which contain themselves inline. Computed once, in time linear in the model, with
//! `petgraph`'s strongly connected components.

use std::collections::{BTreeMap, BTreeSet};

use petgraph::algo::tarjan_scc;
use petgraph::graph::{DiGraph, NodeIndex};

use crate::model::{Builtin, Content, Model, QName, SimpleKind, TypeDef, TypeRef};

/// Per-type facts of a model.
#[derive(Debug, Default)]
pub struct TypeFacts {
    /// Types whose values contain `f32`/`f64` somewhere.
    floats: BTreeSet<QName>,
    /// Types that contain a value of themselves through elements occurring at most once.
    recursive: BTreeSet<QName>,
}

impl TypeFacts {
    /// Computes the facts for every type of `model`.
    pub fn new(model: &Model) -> Self {
        let mut all = DiGraph::<&QName, ()>::new();
        let mut inline = DiGraph::<&QName, ()>::new();
        let mut nodes = BTreeMap::new();
        for def in &model.types {
            let name = def.name();
            nodes.insert(name, (all.add_node(name), inline.add_node(name)));
        }
        let mut direct_float = BTreeSet::new();
        for def in &model.types {
            let Some(&(from_all, from_inline)) = nodes.get(def.name()) else {
                continue;
            };
            let mut edge = |ty: &TypeRef, inline_edge: bool| match ty {
                TypeRef::Builtin(Builtin::Double | Builtin::Float) => {
                    direct_float.insert(from_all);
                }
                TypeRef::Named(q) | TypeRef::Group(q) => {
                    if let Some(&(to_all, to_inline)) = nodes.get(q) {
                        all.add_edge(from_all, to_all, ());
                        if inline_edge {
                            inline.add_edge(from_inline, to_inline, ());
                        }
                    }
                }
                TypeRef::Builtin(_)
                | TypeRef::Extern(_)
                | TypeRef::AnyType
                | TypeRef::Wildcard(_) => {}
            };
            match def {
                TypeDef::Complex(c) => {
                    for attribute in c.attributes.iter().filter(|a| a.fixed.is_none()) {
                        edge(&attribute.ty, false);
                    }
                    match &c.content {
                        Content::Empty | Content::Mixed => {}
                        Content::Simple(ty) => edge(ty, false),
                        Content::Sequence(fields) | Content::Choice(fields) => {
                            for field in fields {
                                edge(&field.ty, field.max_occurs == Some(1));
                            }
                        }
                    }
                }
                TypeDef::Simple(s) => match &s.kind {
                    SimpleKind::Enumeration { .. } => {}
                    SimpleKind::Restriction { base, .. } => edge(base, false),
                    SimpleKind::List { item } => edge(item, false),
                    SimpleKind::Union { members } => {
                        for member in members {
                            edge(member, false);
                        }
                    }
                },
            }
        }
        Self {
            floats: floats(&all, &direct_float),
            recursive: recursive(&inline),
        }
    }

    /// Whether values of the named type contain floats.
    pub fn has_float(&self, name: &QName) -> bool {
        self.floats.contains(name)
    }

    /// Whether the named type contains itself inline (it would have infinite size).
    pub fn is_recursive_inline(&self, name: &QName) -> bool {
        self.recursive.contains(name)
    }
}

/// Types that reach a type holding a float. Tarjan's algorithm yields the components in
/// reverse topological order, so every component's successors are decided before it.
fn floats(graph: &DiGraph<&QName, ()>, direct: &BTreeSet<NodeIndex>) -> BTreeSet<QName> {
    let mut component_of = vec![0; graph.node_count()];
    let components = tarjan_scc(graph);
    for (i, component) in components.iter().enumerate() {
        for node in component {
            component_of[node.index()] = i;
        }
    }
    let mut float_component = vec![false; components.len()];
    let mut out = BTreeSet::new();
    for (i, component) in components.iter().enumerate() {
        let float = component.iter().any(|node| {
            direct.contains(node)
                || graph.neighbors(*node).any(|next| {
                    let j = component_of[next.index()];
                    j != i && float_component[j]
                })
        });
        float_component[i] = float;
        if float {
            out.extend(component.iter().map(|node| graph[*node].clone()));
        }
    }
    out
}

/// Types in a cycle of inline edges: a component of two or more, or a self-loop.
fn recursive(graph: &DiGraph<&QName, ()>) -> BTreeSet<QName> {
    tarjan_scc(graph)
        .into_iter()
        .filter(|c| c.len() > 1 || c.iter().any(|n| graph.contains_edge(*n, *n)))
        .flatten()
        .map(|n| graph[n].clone())
        .collect()
}
