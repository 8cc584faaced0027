//! [`JITModule`]: a [`Module`] whose functions and data are placed in this process's
//! memory and can be called directly.
//!
//! Definitions are written to read-write memory; [`JITModule::finalize_definitions`]
//! applies the relocations (to the module's own symbols, then to symbols given to the
//! [`JITBuilder`], then to symbols found in the process with `dlsym`) and makes code
//! read-execute and read-only data read-only (W^X). Every ISA's relocation kinds are
//! resolved (`reloc.rs`; the host's own ISA is the one that runs): calls out of direct
//! reach go through a stub placed after the function, and GOT references of
//! position-independent code through an entry placed there. Finalized functions' unwind
//! rules are registered with the system unwinder, so backtraces cross JIT frames.

#![warn(missing_docs)]

mod hotswap;
mod reloc;
mod unwind;

use gantry_codegen::ir::TrapCode;
use gantry_codegen::isa::TargetIsa;
use gantry_codegen::machinst::buffer::MachTrap;
use gantry_codegen::machinst::unwind::UnwindInfo;
use gantry_module::{
    DataDescription, DataId, FuncId, Init, Linkage, Module, ModuleDeclarations, ModuleError,
    ModuleReloc, ModuleResult, RelocTarget,
};
use memmap2::{Mmap, MmapMut};
use std::collections::HashMap;

/// A function that finds a symbol's address by name.
pub type LookupFn = Box<dyn Fn(&str) -> Option<*const u8>>;

/// Configures a [`JITModule`]: its target, and where imported symbols come from.
pub struct JITBuilder {
    isa: Box<dyn TargetIsa>,
    symbols: HashMap<String, *const u8>,
    lookups: Vec<LookupFn>,
    hotswap: bool,
}

impl JITBuilder {
    /// A builder for the host: its ISA with the features its CPU reports (see
    /// [`gantry_codegen::isa::native::builder`]), compiling with the shared settings
    /// `flags`.
    ///
    /// # Errors
    /// [`gantry_codegen::isa::LookupError`] when Gantry has no backend for the host.
    pub fn native(
        flags: gantry_codegen::settings::Flags,
    ) -> Result<JITBuilder, gantry_codegen::isa::LookupError> {
        let isa = gantry_codegen::isa::native::builder()?.finish_with(flags)?;
        Ok(JITBuilder::with_isa(isa))
    }

    /// A builder for code compiled by `isa` (which must be the host's).
    pub fn with_isa(isa: Box<dyn TargetIsa>) -> JITBuilder {
        JITBuilder {
            isa,
            symbols: HashMap::new(),
            lookups: Vec::new(),
            hotswap: false,
        }
    }

    /// Allows redefining functions (off by default). Every function of the module is
    /// then reached through a PLT entry (calls, `func_addr`, data holding its address,
    /// and the pointer [`JITModule::get_finalized_function`] returns), and finalizing a
    /// redefinition points the entry at the new code: callers need no recompilation.
    /// Old code stays mapped (it may still be running) until the module is dropped.
    pub fn hotswap(&mut self, enabled: bool) -> &mut JITBuilder {
        self.hotswap = enabled;
        self
    }

    /// Resolves imports of `name` to `ptr`.
    pub fn symbol(&mut self, name: impl Into<String>, ptr: *const u8) -> &mut JITBuilder {
        self.symbols.insert(name.into(), ptr);
        self
    }

    /// Asks `lookup` for imports not given with [`JITBuilder::symbol`] (before `dlsym`).
    pub fn symbol_lookup_fn(&mut self, lookup: LookupFn) -> &mut JITBuilder {
        self.lookups.push(lookup);
        self
    }
}

/// Memory holding one definition: writable until finalized.
enum Memory {
    Writable(MmapMut),
    Executable(Mmap),
    ReadOnly(Mmap),
}

impl Memory {
    fn ptr(&self) -> *const u8 {
        match self {
            Memory::Writable(m) => m.as_ptr(),
            Memory::Executable(m) | Memory::ReadOnly(m) => m.as_ptr(),
        }
    }
}

/// A placed definition and the relocations still to apply to it.
struct Placed {
    memory: Memory,
    size: usize,
    relocs: Vec<ModuleReloc>,
    /// Where the next far-call stub or GOT entry goes (functions only).
    next_stub: usize,
    /// The GOT entries made: target address and offset.
    got: Vec<(i64, usize)>,
    /// Trap sites (functions only), by offset.
    traps: Vec<MachTrap>,
    executable: bool,
    writable: bool,
}

/// A [`Module`] in this process's memory.
pub struct JITModule {
    isa: Box<dyn TargetIsa>,
    declarations: ModuleDeclarations,
    symbols: HashMap<String, *const u8>,
    lookups: Vec<LookupFn>,
    /// Unwind tables registered with the system unwinder (before `functions`, so they
    /// are dropped, and deregistered, before the code is unmapped).
    registrations: Vec<unwind::Registration>,
    functions: HashMap<FuncId, Placed>,
    data: HashMap<DataId, Placed>,
    pending: Vec<Target>,
    /// Unwind rules of functions not finalized yet.
    unwind: HashMap<FuncId, UnwindInfo>,
    /// With hot-swapping, the PLT entries and each function's entry.
    plt: Option<hotswap::Plt>,
    entries: HashMap<FuncId, usize>,
    /// Code of redefined functions, kept mapped.
    retired: Vec<Placed>,
}

/// A definition not finalized yet.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Target {
    Func(FuncId),
    Data(DataId),
}

fn map(size: usize) -> ModuleResult<MmapMut> {
    MmapMut::map_anon(size.max(1)).map_err(|e| ModuleError::Backend(format!("mmap: {e}")))
}

impl JITModule {
    /// An empty module.
    pub fn new(builder: JITBuilder) -> JITModule {
        JITModule {
            isa: builder.isa,
            declarations: ModuleDeclarations::default(),
            symbols: builder.symbols,
            lookups: builder.lookups,
            registrations: Vec::new(),
            functions: HashMap::new(),
            data: HashMap::new(),
            pending: Vec::new(),
            unwind: HashMap::new(),
            plt: builder.hotswap.then(hotswap::Plt::new),
            entries: HashMap::new(),
            retired: Vec::new(),
        }
    }

    /// The address of `name` outside the module: given symbols, lookup functions, then
    /// the process (`dlsym`).
    fn lookup_symbol(&self, name: &str) -> Option<*const u8> {
        if let Some(&p) = self.symbols.get(name) {
            return Some(p);
        }
        for f in &self.lookups {
            if let Some(p) = f(name) {
                return Some(p);
            }
        }
        let c = std::ffi::CString::new(name).ok()?;
        // SAFETY: dlsym with RTLD_DEFAULT and a NUL-terminated name only reads them.
        let p = unsafe { libc::dlsym(libc::RTLD_DEFAULT, c.as_ptr()) };
        (!p.is_null()).then_some(p as *const u8)
    }

    /// The address callers use for function `id` placed at `p`: its PLT entry when
    /// hot-swapping, else its code.
    fn entry_or(&self, id: FuncId, p: &Placed) -> *const u8 {
        match (&self.plt, self.entries.get(&id)) {
            (Some(plt), Some(&i)) => plt.stub(i),
            _ => p.memory.ptr(),
        }
    }

    /// The address a relocation target resolves to.
    fn resolve(&self, target: &RelocTarget) -> ModuleResult<*const u8> {
        match target {
            RelocTarget::Func(id) => {
                let decl = &self.declarations.functions[*id];
                match self.functions.get(id) {
                    Some(p) if decl.linkage != Linkage::Import => Ok(self.entry_or(*id, p)),
                    _ => {
                        let name = decl.name.clone().unwrap_or_default();
                        self.lookup_symbol(&name)
                            .ok_or(ModuleError::Undefined(name))
                    }
                }
            }
            RelocTarget::Data(id) => {
                let decl = &self.declarations.data_objects[*id];
                match self.data.get(id) {
                    Some(p) if decl.linkage != Linkage::Import => Ok(p.memory.ptr()),
                    _ => {
                        let name = decl.name.clone().unwrap_or_default();
                        self.lookup_symbol(&name)
                            .ok_or(ModuleError::Undefined(name))
                    }
                }
            }
            RelocTarget::LibCall(lc) => {
                let name = lc.symbol();
                self.lookup_symbol(name)
                    .ok_or_else(|| ModuleError::Undefined(name.to_string()))
            }
            RelocTarget::Symbol(name) => self
                .lookup_symbol(name)
                .ok_or_else(|| ModuleError::Undefined(name.clone())),
        }
    }

    /// Applies every pending relocation and makes the new code executable and read-only
    /// data read-only. Functions and data defined since the last call become usable.
    ///
    /// # Errors
    /// A symbol that is not defined and not found, or an unsupported relocation.
    pub fn finalize_definitions(&mut self) -> ModuleResult<()> {
        let pending = std::mem::take(&mut self.pending);
        // Resolve everything first (reading the module), then write.
        let mut patches = Vec::new();
        for &t in &pending {
            let placed = match t {
                Target::Func(id) => self.functions.get(&id),
                Target::Data(id) => self.data.get(&id),
            }
            .expect("pending definitions are placed");
            for r in &placed.relocs {
                patches.push((t, r.clone(), self.resolve(&r.target)?));
            }
        }
        for (t, r, address) in patches {
            let placed = match t {
                Target::Func(id) => self.functions.get_mut(&id),
                Target::Data(id) => self.data.get_mut(&id),
            }
            .expect("pending definitions are placed");
            let big = self.isa.endianness() == gantry_codegen::ir::Endianness::Big;
            apply(placed, &r, address, big)?;
        }
        for t in pending {
            let placed = match t {
                Target::Func(id) => self.functions.get_mut(&id),
                Target::Data(id) => self.data.get_mut(&id),
            }
            .expect("pending definitions are placed");
            let memory = std::mem::replace(&mut placed.memory, Memory::Writable(map(1)?));
            placed.memory = match memory {
                Memory::Writable(m) if placed.executable => Memory::Executable(
                    m.make_exec()
                        .map_err(|e| ModuleError::Backend(format!("mprotect: {e}")))?,
                ),
                Memory::Writable(m) if !placed.writable => Memory::ReadOnly(
                    m.make_read_only()
                        .map_err(|e| ModuleError::Backend(format!("mprotect: {e}")))?,
                ),
                other => other,
            };
            if let (Target::Func(id), Some(plt)) = (t, &self.plt) {
                plt.set(self.entries[&id], placed.memory.ptr());
            }
            if let (Target::Func(id), Some(cie)) = (t, self.isa.unwind_cie()) {
                if let Some(rules) = self.unwind.remove(&id) {
                    let (code, size) = (placed.memory.ptr(), placed.size);
                    let r = unwind::Registration::new(&cie, code, size, &rules)?;
                    self.registrations.push(r);
                }
            }
        }
        Ok(())
    }

    /// The address of function `id`'s code, after [`JITModule::finalize_definitions`].
    ///
    /// # Panics
    /// If `id` is not defined in this module or not finalized yet.
    pub fn get_finalized_function(&self, id: FuncId) -> *const u8 {
        match self.functions.get(&id) {
            Some(
                p @ Placed {
                    memory: Memory::Executable(_),
                    ..
                },
            ) => self.entry_or(id, p),
            _ => panic!("function {id} is not defined and finalized"),
        }
    }

    /// The trap code of the instruction at `pc`, if `pc` is a trap site of a function
    /// of this module (for a signal handler turning faults into traps).
    pub fn lookup_trap(&self, pc: *const u8) -> Option<TrapCode> {
        let pc = pc as usize;
        self.functions.values().chain(&self.retired).find_map(|p| {
            let start = p.memory.ptr() as usize;
            let offset = pc.checked_sub(start).filter(|&o| o < p.size)?;
            p.traps
                .iter()
                .find(|t| t.offset as usize == offset)
                .map(|t| t.code)
        })
    }

    /// The address and size of data object `id`, after
    /// [`JITModule::finalize_definitions`].
    ///
    /// # Panics
    /// If `id` is not defined in this module.
    pub fn get_finalized_data(&self, id: DataId) -> (*const u8, usize) {
        let p = self
            .data
            .get(&id)
            .unwrap_or_else(|| panic!("data {id} is not defined"));
        (p.memory.ptr(), p.size)
    }
}

/// Patches relocation `r` of `placed` with the target `address`.
fn apply(
    placed: &mut Placed,
    r: &ModuleReloc,
    address: *const u8,
    big_endian: bool,
) -> ModuleResult<()> {
    let Memory::Writable(m) = &mut placed.memory else {
        unreachable!("relocations are applied before protection")
    };
    let mut patcher = reloc::Patcher {
        bytes: &mut m[..],
        next_stub: &mut placed.next_stub,
        got: &mut placed.got,
        big_endian,
    };
    patcher.apply(r, address)
}

impl Module for JITModule {
    fn isa(&self) -> &dyn TargetIsa {
        self.isa.as_ref()
    }

    /// Keeps the rules until [`JITModule::finalize_definitions`] registers them with
    /// the system unwinder (libgcc's `__register_frame` on Linux).
    fn define_function_unwind(&mut self, func: FuncId, unwind: &UnwindInfo) -> ModuleResult<()> {
        self.unwind.insert(func, unwind.clone());
        Ok(())
    }

    fn declarations(&self) -> &ModuleDeclarations {
        &self.declarations
    }

    fn declarations_mut(&mut self) -> &mut ModuleDeclarations {
        &mut self.declarations
    }

    fn define_function_bytes(
        &mut self,
        func: FuncId,
        _alignment: u64,
        bytes: &[u8],
        relocs: &[ModuleReloc],
        traps: &[MachTrap],
    ) -> ModuleResult<()> {
        // Hot-swapping modules take redefinitions.
        let defined = self.functions.contains_key(&func) && self.plt.is_none();
        self.declarations.check_function_definable(func, defined)?;
        // Room after the code for a far-call stub per call and a GOT entry per GOT
        // reference.
        let extra: usize = relocs.iter().map(|r| reloc::room_for(r.kind)).sum();
        let code_end = bytes.len().div_ceil(reloc::STUB) * reloc::STUB;
        let mut m = map(code_end + extra)?;
        m[..bytes.len()].copy_from_slice(bytes);
        let placed = Placed {
            memory: Memory::Writable(m),
            size: bytes.len(),
            relocs: relocs.to_vec(),
            next_stub: code_end,
            got: Vec::new(),
            traps: traps.to_vec(),
            executable: true,
            writable: false,
        };
        if let Some(plt) = &mut self.plt {
            if let std::collections::hash_map::Entry::Vacant(e) = self.entries.entry(func) {
                e.insert(plt.add()?);
            }
        }
        if let Some(old) = self.functions.insert(func, placed) {
            self.retired.push(old);
        }
        self.unwind.remove(&func);
        if !self.pending.contains(&Target::Func(func)) {
            self.pending.push(Target::Func(func));
        }
        Ok(())
    }

    fn define_data(&mut self, data: DataId, desc: &DataDescription) -> ModuleResult<()> {
        self.declarations
            .check_data_definable(data, self.data.contains_key(&data))?;
        let writable = self.declarations.data_objects[data].writable;
        let size = match &desc.init {
            Init::Uninitialized => {
                return Err(ModuleError::Backend(format!(
                    "data {data} is defined without contents"
                )));
            }
            init => init.size(),
        };
        let mut m = map(size)?;
        if let Init::Bytes { contents } = &desc.init {
            m[..contents.len()].copy_from_slice(contents);
        }
        let relocs = desc.relocs();
        self.data.insert(
            data,
            Placed {
                memory: Memory::Writable(m),
                size,
                relocs,
                next_stub: 0,
                got: Vec::new(),
                traps: Vec::new(),
                executable: false,
                writable,
            },
        );
        self.pending.push(Target::Data(data));
        Ok(())
    }
}
