//! What a module declares: functions and data objects with names and linkages.

use gantry_codegen::entity::{PrimaryMap, entity_impl};
use gantry_codegen::ir::Signature;
use std::collections::HashMap;

/// A function of a module.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FuncId(u32);
entity_impl!(FuncId, "funcid");

/// A data object of a module.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DataId(u32);
entity_impl!(DataId, "dataid");

/// A function or a data object.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum FuncOrDataId {
    /// A function.
    Func(FuncId),
    /// A data object.
    Data(DataId),
}

/// How a symbol is visible across modules.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Linkage {
    /// Defined elsewhere.
    Import,
    /// Defined here, visible only here.
    Local,
    /// Defined here, visible elsewhere, and may be replaced by another definition.
    Preemptible,
    /// Defined here, visible in the same linkage unit only.
    Hidden,
    /// Defined here and visible elsewhere.
    Export,
}

impl Linkage {
    /// Whether a definition is expected in this module.
    pub fn is_definable(self) -> bool {
        self != Linkage::Import
    }

    /// The linkage of two declarations of one name: the more definite one (an import
    /// declared again as an export is an export).
    pub fn merge(a: Linkage, b: Linkage) -> Linkage {
        use Linkage::*;
        match (a, b) {
            (Export, _) | (_, Export) => Export,
            (Preemptible, _) | (_, Preemptible) => Preemptible,
            (Hidden, _) | (_, Hidden) => Hidden,
            (Local, _) | (_, Local) => Local,
            _ => Import,
        }
    }
}

/// A declared function.
#[derive(Clone, Debug)]
pub struct FunctionDeclaration {
    /// Its symbol name, or `None` for an anonymous function.
    pub name: Option<String>,
    /// Its linkage.
    pub linkage: Linkage,
    /// Its signature.
    pub signature: Signature,
}

/// A declared data object.
#[derive(Clone, Debug)]
pub struct DataDeclaration {
    /// Its symbol name, or `None` for anonymous data.
    pub name: Option<String>,
    /// Its linkage.
    pub linkage: Linkage,
    /// Whether code may write it.
    pub writable: bool,
    /// Whether each thread has its own copy.
    pub tls: bool,
}

/// Every declaration of a module, by id and by name.
#[derive(Clone, Debug, Default)]
pub struct ModuleDeclarations {
    /// The functions.
    pub functions: PrimaryMap<FuncId, FunctionDeclaration>,
    /// The data objects.
    pub data_objects: PrimaryMap<DataId, DataDeclaration>,
    names: HashMap<String, FuncOrDataId>,
}

impl ModuleDeclarations {
    /// What `name` is declared as.
    pub fn get_name(&self, name: &str) -> Option<FuncOrDataId> {
        self.names.get(name).copied()
    }

    /// Declares function `name`, or merges the linkage into its earlier declaration.
    ///
    /// # Errors
    /// `name` is data, or was declared with another signature.
    pub fn declare_function(
        &mut self,
        name: &str,
        linkage: Linkage,
        signature: &Signature,
    ) -> Result<FuncId, crate::ModuleError> {
        match self.names.get(name) {
            Some(&FuncOrDataId::Func(id)) => {
                let decl = &mut self.functions[id];
                if decl.signature != *signature {
                    return Err(crate::ModuleError::IncompatibleSignature(name.to_string()));
                }
                decl.linkage = Linkage::merge(decl.linkage, linkage);
                Ok(id)
            }
            Some(FuncOrDataId::Data(_)) => Err(crate::ModuleError::IncompatibleDeclaration(
                name.to_string(),
            )),
            None => {
                let id = self.functions.push(FunctionDeclaration {
                    name: Some(name.to_string()),
                    linkage,
                    signature: signature.clone(),
                });
                self.names.insert(name.to_string(), FuncOrDataId::Func(id));
                Ok(id)
            }
        }
    }

    /// Declares a function without a name (local to the module).
    pub fn declare_anonymous_function(&mut self, signature: &Signature) -> FuncId {
        self.functions.push(FunctionDeclaration {
            name: None,
            linkage: Linkage::Local,
            signature: signature.clone(),
        })
    }

    /// Declares data object `name`, or merges the linkage into its earlier declaration.
    ///
    /// # Errors
    /// `name` is a function, or was declared with other writability or TLS.
    pub fn declare_data(
        &mut self,
        name: &str,
        linkage: Linkage,
        writable: bool,
        tls: bool,
    ) -> Result<DataId, crate::ModuleError> {
        match self.names.get(name) {
            Some(&FuncOrDataId::Data(id)) => {
                let decl = &mut self.data_objects[id];
                if decl.writable != writable || decl.tls != tls {
                    return Err(crate::ModuleError::IncompatibleDeclaration(
                        name.to_string(),
                    ));
                }
                decl.linkage = Linkage::merge(decl.linkage, linkage);
                Ok(id)
            }
            Some(FuncOrDataId::Func(_)) => Err(crate::ModuleError::IncompatibleDeclaration(
                name.to_string(),
            )),
            None => {
                let id = self.data_objects.push(DataDeclaration {
                    name: Some(name.to_string()),
                    linkage,
                    writable,
                    tls,
                });
                self.names.insert(name.to_string(), FuncOrDataId::Data(id));
                Ok(id)
            }
        }
    }

    /// Checks that function `id` may be defined now (`defined` says whether it already
    /// is).
    ///
    /// # Errors
    /// An import, or a second definition.
    pub fn check_function_definable(
        &self,
        id: FuncId,
        defined: bool,
    ) -> Result<(), crate::ModuleError> {
        let decl = &self.functions[id];
        check_definable(decl.linkage, &decl.name, defined)
    }

    /// As [`Self::check_function_definable`], for data object `id`.
    ///
    /// # Errors
    /// An import, or a second definition.
    pub fn check_data_definable(
        &self,
        id: DataId,
        defined: bool,
    ) -> Result<(), crate::ModuleError> {
        let decl = &self.data_objects[id];
        check_definable(decl.linkage, &decl.name, defined)
    }

    /// Declares a data object without a name (local to the module).
    pub fn declare_anonymous_data(&mut self, writable: bool, tls: bool) -> DataId {
        self.data_objects.push(DataDeclaration {
            name: None,
            linkage: Linkage::Local,
            writable,
            tls,
        })
    }
}

fn check_definable(
    linkage: Linkage,
    name: &Option<String>,
    defined: bool,
) -> Result<(), crate::ModuleError> {
    let name = name.clone().unwrap_or_else(|| "(anonymous)".into());
    if !linkage.is_definable() {
        return Err(crate::ModuleError::InvalidImportDefinition(name));
    }
    if defined {
        return Err(crate::ModuleError::DuplicateDefinition(name));
    }
    Ok(())
}
