//! Functions: the stencil that compilation reads, and the parameters applied afterwards.

use super::debug_tags::{DebugTag, UserStackMapEntry};
use super::dfg::DataFlowGraph;
use super::dynamic_type::MemoryRegionData;
use super::entities::{
    DynamicStackSlot, FuncRef, GlobalValue, Inst, MemoryRegion, SigRef, StackSlot,
    UserExternalNameRef,
};
use super::extname::{ExternalName, UserExternalName, UserFuncName};
use super::globalvalue::GlobalValueData;
use super::layout::Layout;
use super::signature::{CallConv, ExtFuncData, Signature};
use super::sourceloc::{RelSourceLoc, SourceLoc};
use super::stackslot::{DynamicStackSlotData, StackSlotData};
use alloc::collections::BTreeMap;
use alloc::vec::Vec;
use core::hash::{Hash, Hasher};
use core::ops::{Deref, DerefMut};
use gantry_entity::{PrimaryMap, SecondaryMap};

/// Everything compilation reads from a function. Equal stencils compile to equal code,
/// so a stencil's hash can key a compilation cache.
///
/// It holds no absolute source locations (only [`RelSourceLoc`]) and no user names (only
/// references into [`FunctionParameters`]'s table).
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct FunctionStencil {
    /// The function's signature.
    pub signature: Signature,
    /// Fixed-size stack slots.
    pub sized_stack_slots: PrimaryMap<StackSlot, StackSlotData>,
    /// Dynamically sized stack slots.
    pub dynamic_stack_slots: PrimaryMap<DynamicStackSlot, DynamicStackSlotData>,
    /// Global values.
    pub global_values: PrimaryMap<GlobalValue, GlobalValueData>,
    /// Alias regions.
    pub memory_regions: PrimaryMap<MemoryRegion, MemoryRegionData>,
    /// Instructions, values and blocks.
    pub dfg: DataFlowGraph,
    /// Their order.
    pub layout: Layout,
    /// Source locations of instructions, relative to the parameters' base.
    pub srclocs: SecondaryMap<Inst, RelSourceLoc>,
    /// The global value holding the stack limit, if stack-limit checks are wanted.
    pub stack_limit: Option<GlobalValue>,
    /// Debug tags of instructions that have them.
    pub debug_tags: BTreeMap<Inst, Vec<DebugTag>>,
    /// User stack maps of calls that have them.
    pub user_stack_maps: BTreeMap<Inst, Vec<UserStackMapEntry>>,
}

impl Hash for FunctionStencil {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.signature.hash(state);
        self.sized_stack_slots.hash(state);
        self.dynamic_stack_slots.hash(state);
        self.global_values.hash(state);
        self.memory_regions.hash(state);
        self.dfg.hash(state);
        self.layout.hash(state);
        // Hash only located instructions, consistent with SecondaryMap's equality.
        for (inst, loc) in self.srclocs.iter() {
            if !loc.is_default() {
                inst.hash(state);
                loc.hash(state);
            }
        }
        self.stack_limit.hash(state);
        self.debug_tags.hash(state);
        self.user_stack_maps.hash(state);
    }
}

impl FunctionStencil {
    fn new(signature: Signature) -> FunctionStencil {
        FunctionStencil {
            signature,
            sized_stack_slots: PrimaryMap::new(),
            dynamic_stack_slots: PrimaryMap::new(),
            global_values: PrimaryMap::new(),
            memory_regions: PrimaryMap::new(),
            dfg: DataFlowGraph::new(),
            layout: Layout::new(),
            srclocs: SecondaryMap::new(),
            stack_limit: None,
            debug_tags: BTreeMap::new(),
            user_stack_maps: BTreeMap::new(),
        }
    }

    /// Declares a stack slot.
    pub fn create_sized_stack_slot(&mut self, data: StackSlotData) -> StackSlot {
        self.sized_stack_slots.push(data)
    }

    /// Declares a dynamic stack slot.
    pub fn create_dynamic_stack_slot(&mut self, data: DynamicStackSlotData) -> DynamicStackSlot {
        self.dynamic_stack_slots.push(data)
    }

    /// Declares a global value.
    pub fn create_global_value(&mut self, data: GlobalValueData) -> GlobalValue {
        self.global_values.push(data)
    }

    /// Declares a call signature.
    pub fn import_signature(&mut self, sig: Signature) -> SigRef {
        self.dfg.signatures.push(sig)
    }

    /// Declares a function the body refers to.
    pub fn import_function(&mut self, data: ExtFuncData) -> FuncRef {
        self.dfg.ext_funcs.push(data)
    }

    /// Declares an alias region.
    pub fn create_memory_region(&mut self, data: MemoryRegionData) -> MemoryRegion {
        self.memory_regions.push(data)
    }

    /// The `vmctx` global value, if declared.
    pub fn special_vmctx_global(&self) -> Option<GlobalValue> {
        self.global_values
            .iter()
            .find(|(_, d)| matches!(d, GlobalValueData::VMContext))
            .map(|(gv, _)| gv)
    }
}

/// What a function has besides its stencil: the table of user names its references point
/// into and the base source location. Applied to compiled code after compilation.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct FunctionParameters {
    base_srcloc: Option<SourceLoc>,
    user_named_funcs: PrimaryMap<UserExternalNameRef, UserExternalName>,
    user_ext_name_to_ref: BTreeMap<UserExternalName, UserExternalNameRef>,
}

impl FunctionParameters {
    /// Empty parameters.
    pub fn new() -> FunctionParameters {
        FunctionParameters::default()
    }

    /// The base source location: relative locations in the stencil are offsets from it.
    pub fn base_srcloc(&self) -> SourceLoc {
        self.base_srcloc.unwrap_or_default()
    }

    /// Sets the base source location if none is set yet.
    pub fn ensure_base_srcloc(&mut self, loc: SourceLoc) -> SourceLoc {
        *self.base_srcloc.get_or_insert(loc)
    }

    /// The reference for `name`, adding it to the table if new.
    pub fn ensure_user_func_name(&mut self, name: UserExternalName) -> UserExternalNameRef {
        if let Some(&r) = self.user_ext_name_to_ref.get(&name) {
            return r;
        }
        let r = self.user_named_funcs.push(name);
        self.user_ext_name_to_ref.insert(name, r);
        r
    }

    /// Replaces the name of `r` (used by a frontend that renames functions).
    pub fn reset_user_func_name(&mut self, r: UserExternalNameRef, name: UserExternalName) {
        if let Some(old) = self.user_named_funcs.get(r).copied() {
            self.user_ext_name_to_ref.remove(&old);
        }
        self.user_named_funcs[r] = name;
        self.user_ext_name_to_ref.insert(name, r);
    }

    /// The table of user names.
    pub fn user_named_funcs(&self) -> &PrimaryMap<UserExternalNameRef, UserExternalName> {
        &self.user_named_funcs
    }
}

/// A function: its name, its [`FunctionStencil`] (reached through `Deref`, so
/// `func.dfg` works) and its [`FunctionParameters`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Function {
    /// The function's own name.
    pub name: UserFuncName,
    /// What compilation reads.
    pub stencil: FunctionStencil,
    /// What is applied after compilation.
    pub params: FunctionParameters,
}

impl Function {
    /// An empty function named `name` with signature `sig`.
    pub fn with_name_signature(name: UserFuncName, sig: Signature) -> Function {
        Function {
            name,
            stencil: FunctionStencil::new(sig),
            params: FunctionParameters::new(),
        }
    }

    /// An empty function with a default name and a `fast` signature without parameters.
    pub fn new() -> Function {
        Function::with_name_signature(UserFuncName::default(), Signature::new(CallConv::Fast))
    }

    /// Declares a function named by a user name and returns the reference for
    /// `ExternalName::User` (the name goes into the parameters' table).
    pub fn declare_imported_user_function(
        &mut self,
        name: UserExternalName,
    ) -> UserExternalNameRef {
        self.params.ensure_user_func_name(name)
    }

    /// Imports a user-named function with `signature` for calls.
    pub fn import_user_function(
        &mut self,
        name: UserExternalName,
        signature: SigRef,
        colocated: bool,
    ) -> FuncRef {
        let r = self.declare_imported_user_function(name);
        self.stencil.import_function(ExtFuncData {
            name: ExternalName::User(r),
            signature,
            colocated,
            patchable: false,
        })
    }

    /// Sets the source location of `inst`. The first location set on a function without
    /// a base becomes its base.
    pub fn set_srcloc(&mut self, inst: Inst, loc: SourceLoc) {
        if loc.is_default() {
            self.stencil.srclocs[inst] = RelSourceLoc::default();
            return;
        }
        let base = self.params.ensure_base_srcloc(loc);
        self.stencil.srclocs[inst] = RelSourceLoc::from_base_offset(base, loc);
    }

    /// The absolute source location of `inst`.
    pub fn srcloc(&self, inst: Inst) -> SourceLoc {
        self.stencil.srclocs[inst].expand(self.params.base_srcloc())
    }

    /// The user name `r` refers to.
    pub fn user_name(&self, r: UserExternalNameRef) -> Option<UserExternalName> {
        self.params.user_named_funcs.get(r).copied()
    }
}

impl Default for Function {
    fn default() -> Self {
        Function::new()
    }
}

impl Deref for Function {
    type Target = FunctionStencil;
    fn deref(&self) -> &FunctionStencil {
        &self.stencil
    }
}

impl DerefMut for Function {
    fn deref_mut(&mut self) -> &mut FunctionStencil {
        &mut self.stencil
    }
}
