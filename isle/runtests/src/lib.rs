//! Runs the ISLE programs in `isle/tests/run/`: the build script compiles each one to
//! Rust, and each module below includes it with the Rust-written expectations beside it
//! (`NAME.rs` next to `NAME.isle`, or to the folder `NAME/`).

#[cfg(test)]
mod and_bind {
    include!("../../tests/run/and_bind.rs");
}

#[cfg(test)]
mod basic {
    include!("../../tests/run/basic.rs");
}

#[cfg(test)]
mod constants {
    include!("../../tests/run/constants.rs");
}

#[cfg(test)]
mod convert {
    include!("../../tests/run/convert.rs");
}

#[cfg(test)]
mod equality {
    include!("../../tests/run/equality.rs");
}

#[cfg(test)]
mod expr_lowering {
    include!("../../tests/run/expr_lowering.rs");
}

#[cfg(test)]
mod extern_enum {
    include!("../../tests/run/extern_enum.rs");
}

#[cfg(test)]
mod extern_extractor {
    include!("../../tests/run/extern_extractor.rs");
}

#[cfg(test)]
mod if_let {
    include!("../../tests/run/if_let.rs");
}

#[cfg(test)]
mod infallible_extractor {
    include!("../../tests/run/infallible_extractor.rs");
}

#[cfg(test)]
mod internal_extractor {
    include!("../../tests/run/internal_extractor.rs");
}

#[cfg(test)]
mod let_bindings {
    include!("../../tests/run/let_bindings.rs");
}

#[cfg(test)]
mod multi_constructor {
    include!("../../tests/run/multi_constructor.rs");
}

#[cfg(test)]
mod multi_extractor {
    include!("../../tests/run/multi_extractor.rs");
}

#[cfg(test)]
mod multi_file {
    include!("../../tests/run/multi_file.rs");
}

#[cfg(test)]
mod partial_fallback {
    include!("../../tests/run/partial_fallback.rs");
}

#[cfg(test)]
mod partial_term {
    include!("../../tests/run/partial_term.rs");
}

#[cfg(test)]
mod priorities {
    include!("../../tests/run/priorities.rs");
}

#[cfg(test)]
mod recursion {
    include!("../../tests/run/recursion.rs");
}
