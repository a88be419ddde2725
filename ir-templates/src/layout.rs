//! LLVM struct types built from the shared layouts in [`cpjit_abi::layout`].
//!
//! Every struct the templates touch is declared once, in `abi/`, with a
//! portable field list ([`StructDesc`]). Here that list becomes an LLVM struct
//! type for the target being compiled, so pointer-sized fields are 4 bytes on
//! i686 and 8 elsewhere, and LLVM computes the offsets with the target's data
//! layout. The test at the bottom checks, for the host, that LLVM's offsets
//! equal Rust's `offset_of!`.

use cpjit_abi::layout::{FieldTy, StructDesc};
use inkwell::context::Context;
use inkwell::targets::TargetData;
use inkwell::types::{BasicTypeEnum, StructType};
use inkwell::AddressSpace;

/// The LLVM type of one portable field type.
pub fn field_type<'ctx>(ctx: &'ctx Context, td: &TargetData, ty: FieldTy) -> BasicTypeEnum<'ctx> {
    match ty {
        FieldTy::I8 => ctx.i8_type().into(),
        FieldTy::I32 => ctx.i32_type().into(),
        FieldTy::I64 => ctx.i64_type().into(),
        FieldTy::IntPtr => ctx.ptr_sized_int_type(td, None).into(),
        FieldTy::Ptr => ctx.ptr_type(AddressSpace::default()).into(),
        FieldTy::F64 => ctx.f64_type().into(),
        FieldTy::Struct(desc) => struct_type(ctx, td, desc).into(),
        FieldTy::TrailingWords => ctx.i64_type().array_type(0).into(),
    }
}

/// The LLVM struct type of a shared struct (not packed: natural C layout).
pub fn struct_type<'ctx>(
    ctx: &'ctx Context,
    td: &TargetData,
    desc: &StructDesc,
) -> StructType<'ctx> {
    let fields: Vec<BasicTypeEnum<'ctx>> = desc
        .fields
        .iter()
        .map(|f| field_type(ctx, td, f.ty))
        .collect();
    ctx.struct_type(&fields, false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use inkwell::targets::{InitializationConfig, Target, TargetMachine};

    fn host_target_data() -> TargetData {
        Target::initialize_native(&InitializationConfig::default()).expect("native target");
        let triple = TargetMachine::get_default_triple();
        let target = Target::from_triple(&triple).expect("host target");
        let tm = target
            .create_target_machine(
                &triple,
                "generic",
                "",
                inkwell::OptimizationLevel::None,
                inkwell::targets::RelocMode::Default,
                inkwell::targets::CodeModel::Default,
            )
            .expect("host target machine");
        tm.get_target_data()
    }

    #[test]
    fn llvm_offsets_equal_rust_offsets_for_every_shared_struct() {
        let td = host_target_data();
        let ctx = Context::create();
        for desc in cpjit_abi::layout::ALL {
            let ty = struct_type(&ctx, &td, desc);
            for (i, field) in desc.fields.iter().enumerate() {
                let llvm = td
                    .offset_of_element(&ty, i as u32)
                    .expect("field index in range");
                assert_eq!(
                    llvm, field.host_offset as u64,
                    "{}.{}: LLVM offset {llvm}, Rust offset {}",
                    desc.name, field.name, field.host_offset
                );
            }
            assert_eq!(
                td.get_abi_size(&ty),
                desc.host_size as u64,
                "size of {}",
                desc.name
            );
        }
    }
}
