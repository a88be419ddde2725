//! Bytecode opcode names, for trace dumps.

use crate::vm::bytecode::op;

/// The name of bytecode `opcode` as CPython spells it (`LOAD_FAST`), or
/// `None` for a number that is not an opcode.
pub fn opcode_name(opcode: u8) -> Option<&'static str> {
    Some(match opcode {
        op::NOP => "NOP",
        op::LOAD_FAST => "LOAD_FAST",
        op::LOAD_FAST_CHECK => "LOAD_FAST_CHECK",
        op::STORE_FAST => "STORE_FAST",
        op::DELETE_FAST => "DELETE_FAST",
        op::LOAD_CONST => "LOAD_CONST",
        op::LOAD_GLOBAL => "LOAD_GLOBAL",
        op::LOAD_GLOBAL_MODULE => "LOAD_GLOBAL_MODULE",
        op::LOAD_GLOBAL_BUILTIN => "LOAD_GLOBAL_BUILTIN",
        op::STORE_GLOBAL => "STORE_GLOBAL",
        op::DELETE_GLOBAL => "DELETE_GLOBAL",
        op::LOAD_DEREF => "LOAD_DEREF",
        op::STORE_DEREF => "STORE_DEREF",
        op::LOAD_CLOSURE => "LOAD_CLOSURE",
        op::POP_TOP => "POP_TOP",
        op::COPY => "COPY",
        op::SWAP => "SWAP",
        op::PUSH_NULL => "PUSH_NULL",
        op::BINARY_OP => "BINARY_OP",
        op::BINARY_OP_ADD_INT => "BINARY_OP_ADD_INT",
        op::BINARY_OP_SUBTRACT_INT => "BINARY_OP_SUBTRACT_INT",
        op::BINARY_OP_MULTIPLY_INT => "BINARY_OP_MULTIPLY_INT",
        op::BINARY_OP_ADD_FLOAT => "BINARY_OP_ADD_FLOAT",
        op::BINARY_OP_SUBTRACT_FLOAT => "BINARY_OP_SUBTRACT_FLOAT",
        op::BINARY_OP_MULTIPLY_FLOAT => "BINARY_OP_MULTIPLY_FLOAT",
        op::BINARY_OP_TRUE_DIVIDE_FLOAT => "BINARY_OP_TRUE_DIVIDE_FLOAT",
        op::BINARY_OP_ADD_STR => "BINARY_OP_ADD_STR",
        op::BINARY_OP_AND_INT => "BINARY_OP_AND_INT",
        op::BINARY_OP_FLOOR_DIVIDE_INT => "BINARY_OP_FLOOR_DIVIDE_INT",
        op::BINARY_OP_MOD_INT => "BINARY_OP_MOD_INT",
        op::BINARY_OP_POWER_INT => "BINARY_OP_POWER_INT",
        op::BINARY_OP_RSHIFT_INT => "BINARY_OP_RSHIFT_INT",
        op::UNARY_NEGATIVE => "UNARY_NEGATIVE",
        op::UNARY_POSITIVE => "UNARY_POSITIVE",
        op::UNARY_INVERT => "UNARY_INVERT",
        op::UNARY_NOT => "UNARY_NOT",
        op::COMPARE_OP => "COMPARE_OP",
        op::COMPARE_OP_INT => "COMPARE_OP_INT",
        op::COMPARE_OP_FLOAT => "COMPARE_OP_FLOAT",
        op::COMPARE_OP_STR => "COMPARE_OP_STR",
        op::IS_OP => "IS_OP",
        op::CONTAINS_OP => "CONTAINS_OP",
        op::POP_JUMP_IF_FALSE => "POP_JUMP_IF_FALSE",
        op::POP_JUMP_IF_TRUE => "POP_JUMP_IF_TRUE",
        op::JUMP_IF_FALSE_OR_POP => "JUMP_IF_FALSE_OR_POP",
        op::JUMP_IF_TRUE_OR_POP => "JUMP_IF_TRUE_OR_POP",
        op::JUMP_FORWARD => "JUMP_FORWARD",
        op::JUMP_BACKWARD => "JUMP_BACKWARD",
        op::ENTER_EXECUTOR => "ENTER_EXECUTOR",
        op::GET_ITER => "GET_ITER",
        op::FOR_ITER => "FOR_ITER",
        op::FOR_ITER_RANGE => "FOR_ITER_RANGE",
        op::FOR_ITER_LIST => "FOR_ITER_LIST",
        op::BUILD_LIST => "BUILD_LIST",
        op::BUILD_TUPLE => "BUILD_TUPLE",
        op::BUILD_MAP => "BUILD_MAP",
        op::BUILD_SLICE => "BUILD_SLICE",
        op::LIST_APPEND => "LIST_APPEND",
        op::MAP_ADD => "MAP_ADD",
        op::BINARY_SUBSCR => "BINARY_SUBSCR",
        op::BINARY_SUBSCR_LIST_INT => "BINARY_SUBSCR_LIST_INT",
        op::BINARY_SUBSCR_TUPLE_INT => "BINARY_SUBSCR_TUPLE_INT",
        op::STORE_SUBSCR => "STORE_SUBSCR",
        op::STORE_SUBSCR_LIST_INT => "STORE_SUBSCR_LIST_INT",
        op::DELETE_SUBSCR => "DELETE_SUBSCR",
        op::UNPACK_SEQUENCE => "UNPACK_SEQUENCE",
        op::UNPACK_SEQUENCE_TWO_TUPLE => "UNPACK_SEQUENCE_TWO_TUPLE",
        op::LOAD_METHOD => "LOAD_METHOD",
        op::LOAD_ATTR => "LOAD_ATTR",
        op::KW_NAMES => "KW_NAMES",
        op::CALL => "CALL",
        op::CALL_PY_EXACT_ARGS => "CALL_PY_EXACT_ARGS",
        op::CALL_BUILTIN => "CALL_BUILTIN",
        op::MAKE_FUNCTION => "MAKE_FUNCTION",
        op::RETURN_VALUE => "RETURN_VALUE",
        op::FORMAT_VALUE => "FORMAT_VALUE",
        op::BUILD_STRING => "BUILD_STRING",
        op::RAISE_ASSERT => "RAISE_ASSERT",
        op::RAISE => "RAISE",
        op::LIST_EXTEND => "LIST_EXTEND",
        op::COMPARE_OP_INT_JUMP => "COMPARE_OP_INT_JUMP",
        op::COMPARE_OP_FLOAT_JUMP => "COMPARE_OP_FLOAT_JUMP",
        op::STORE_ATTR => "STORE_ATTR",
        op::SETUP_EXCEPT => "SETUP_EXCEPT",
        op::POP_EXCEPT_BLOCK => "POP_EXCEPT_BLOCK",
        op::CHECK_EXC_MATCH => "CHECK_EXC_MATCH",
        op::RERAISE => "RERAISE",
        op::POP_EXCEPT => "POP_EXCEPT",
        op::LOAD_FAST__LOAD_FAST => "LOAD_FAST__LOAD_FAST",
        op::LOAD_FAST__LOAD_CONST => "LOAD_FAST__LOAD_CONST",
        op::LOAD_CONST__LOAD_FAST => "LOAD_CONST__LOAD_FAST",
        op::STORE_FAST__LOAD_FAST => "STORE_FAST__LOAD_FAST",
        op::STORE_FAST__STORE_FAST => "STORE_FAST__STORE_FAST",
        op::CALL_EX => "CALL_EX",
        op::BUILD_SET => "BUILD_SET",
        op::SET_ADD => "SET_ADD",
        op::SET_UPDATE => "SET_UPDATE",
        op::IMPORT_NAME => "IMPORT_NAME",
        op::IMPORT_FROM => "IMPORT_FROM",
        op::UNPACK_EX => "UNPACK_EX",
        op::DICT_MERGE => "DICT_MERGE",
        op::DICT_UPDATE => "DICT_UPDATE",
        op::LIST_TO_TUPLE => "LIST_TO_TUPLE",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_opcode_has_a_distinct_name() {
        let names: Vec<&str> = (0..op::COUNT).filter_map(opcode_name).collect();
        assert_eq!(names.len(), op::COUNT as usize);
        let mut sorted = names.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), names.len());
        assert_eq!(opcode_name(op::LOAD_FAST), Some("LOAD_FAST"));
        assert_eq!(opcode_name(op::COUNT), None);
    }
}
