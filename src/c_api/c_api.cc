// The C API (include/hunch/hunch.h): thin wrappers over the C++ classes.
//
// Lifetimes: a hunch_model holds a shared_ptr<const Model> whose control
// block also owns what the model depends on beyond the C++ API's own
// guarantees: the copied file bytes (hunch_model_from_buffer_copy) and the
// custom op records (names, C callbacks, user_data) of the resolver it was
// opened with. Interpreters copy that shared_ptr, so freeing the model handle,
// the resolver or both never leaves a running interpreter dangling.
#include "hunch/hunch.h"

#include "c_api/c_api_util.h"
#include "hunch/kernels.h"

#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "hunch/interpreter.h"
#include "hunch/model.h"
#include "hunch/op.h"
#include "hunch/status.h"
#include "hunch/types.h"
#include "util/strings.h"

using hunch::DType;
using hunch::Interpreter;
using hunch::InterpreterOptions;
using hunch::Model;
using hunch::ModelOptions;
using hunch::OpContext;
using hunch::OpRegistration;
using hunch::OpResolver;
using hunch::Status;
using hunch::StatusCode;
using hunch::TensorInfo;
using hunch::internal::Format;

#define HUNCH_SAME_CODE(c, cc) static_assert(static_cast<int>(c) == static_cast<int>(StatusCode::cc), #c)
HUNCH_SAME_CODE(HUNCH_OK, kOk);
HUNCH_SAME_CODE(HUNCH_INVALID_ARGUMENT, kInvalidArgument);
HUNCH_SAME_CODE(HUNCH_NOT_FOUND, kNotFound);
HUNCH_SAME_CODE(HUNCH_CORRUPTION, kCorruption);
HUNCH_SAME_CODE(HUNCH_UNSUPPORTED, kUnsupported);
HUNCH_SAME_CODE(HUNCH_RESOURCE_EXHAUSTED, kResourceExhausted);
HUNCH_SAME_CODE(HUNCH_IO_ERROR, kIOError);
HUNCH_SAME_CODE(HUNCH_INTERNAL, kInternal);
#undef HUNCH_SAME_CODE
static_assert(HUNCH_DTYPE_FLOAT32 == static_cast<int>(DType::kFloat32), "dtype");
static_assert(HUNCH_DTYPE_FLOAT16 == static_cast<int>(DType::kFloat16), "dtype");
static_assert(HUNCH_DTYPE_INT8 == static_cast<int>(DType::kInt8), "dtype");
static_assert(HUNCH_DTYPE_INT4 == static_cast<int>(DType::kInt4), "dtype");
static_assert(HUNCH_DTYPE_INT32 == static_cast<int>(DType::kInt32), "dtype");
static_assert(HUNCH_MAX_RANK == hunch::kMaxRank, "rank");

namespace {

// A custom op registered through the C API. Immutable once created; shared by
// the resolver and by every model opened with it.
struct CustomOp {
  std::string name;
  hunch_op_fn prepare = nullptr;
  hunch_op_fn eval = nullptr;
  void* user_data = nullptr;
};

using CustomOpList = std::vector<std::shared_ptr<const CustomOp>>;

// Owns a Model and the custom op records it points into. Members are destroyed
// in reverse order: the model first, then the op records it used.
struct ModelHolder {
  CustomOpList custom_ops;
  std::shared_ptr<const Model> model;
};

using hunch::c_api::InvalidArgument;
using hunch::c_api::Return;
using hunch::c_api::SetError;

void FillInfo(const TensorInfo& t, hunch_tensor_info* out) {
  std::memset(out, 0, sizeof(*out));
  out->name = t.name ? t.name : "";
  out->dtype = static_cast<int32_t>(t.dtype);
  out->rank = t.shape.rank;
  for (int d = 0; d < t.shape.rank && d < HUNCH_MAX_RANK; ++d) out->dims[d] = t.shape.dims[d];
  out->bytes = t.bytes;
  out->scales = t.quant.scales;
  out->num_scales = t.quant.num_scales;
  out->block_size = t.quant.block_size;
  out->is_constant = t.is_constant ? 1 : 0;
  out->is_state = t.is_state ? 1 : 0;
}


}  // namespace

// ---- handles -----------------------------------------------------------------

struct hunch_model {
  std::shared_ptr<const Model> model;  // aliases a ModelHolder
};

struct hunch_interpreter {
  std::unique_ptr<Interpreter> interpreter;
};

struct hunch_op_resolver {
  explicit hunch_op_resolver(OpResolver r) : resolver(std::move(r)) {}
  OpResolver resolver;
  CustomOpList custom_ops;
};

struct hunch_op_context {
  OpContext* ctx = nullptr;
  bool in_eval = false;
  std::string error;
};

namespace {

ModelOptions ToOptions(const hunch_model_options* options) {
  ModelOptions mo;
  if (options) {
    mo.max_memory_bytes = options->max_memory_bytes;
    if (options->resolver) mo.resolver = &options->resolver->resolver;
  }
  return mo;
}

// Wraps a loaded model (or returns the load error) in a new handle whose
// shared_ptr owns `holder`.
hunch_status_code FinishOpen(const Status& loaded, std::unique_ptr<ModelHolder> holder,
                             const hunch_model_options* options, hunch_model** model, char** error) {
  if (!loaded.ok()) return Return(loaded, error);
  if (options && options->resolver) holder->custom_ops = options->resolver->custom_ops;
  ModelHolder* raw = holder.get();
  std::shared_ptr<ModelHolder> shared(holder.release());
  hunch_model* handle = new (std::nothrow) hunch_model;
  if (!handle) return Return(Status::ResourceExhausted("out of memory"), error);
  handle->model = std::shared_ptr<const Model>(shared, raw->model.get());
  *model = handle;
  return HUNCH_OK;
}

// The Status for what a C callback returned.
Status FromCallback(hunch_status_code code, const hunch_op_context& c, const char* phase) {
  if (code == HUNCH_OK) return Status::OK();
  if (static_cast<int>(code) < HUNCH_INVALID_ARGUMENT || static_cast<int>(code) > HUNCH_INTERNAL)
    return Status::Internal(Format("custom op %s returned the invalid status code %d", phase, static_cast<int>(code)));
  return Status(static_cast<StatusCode>(code), c.error.empty() ? Format("custom op %s failed", phase) : c.error);
}

Status CustomPrepare(OpContext* ctx) {
  const CustomOp* op = static_cast<const CustomOp*>(ctx->user_data());
  hunch_op_context c;
  c.ctx = ctx;
  c.in_eval = false;
  return FromCallback(op->prepare(&c, op->user_data), c, "prepare");
}

Status CustomEval(OpContext* ctx) {
  const CustomOp* op = static_cast<const CustomOp*>(ctx->user_data());
  hunch_op_context c;
  c.ctx = ctx;
  c.in_eval = true;
  return FromCallback(op->eval(&c, op->user_data), c, "eval");
}

hunch_status_code CreateResolver(OpResolver r, hunch_op_resolver** resolver, char** error) {
  if (!resolver) return InvalidArgument("hunch_op_resolver_create: resolver is NULL", error);
  *resolver = new (std::nothrow) hunch_op_resolver(std::move(r));
  if (!*resolver) return Return(Status::ResourceExhausted("out of memory"), error);
  return HUNCH_OK;
}

}  // namespace

extern "C" {

// ---- general -------------------------------------------------------------------

const char* hunch_status_code_name(hunch_status_code code) {
  if (static_cast<int>(code) < HUNCH_OK || static_cast<int>(code) > HUNCH_INTERNAL) return "Unknown";
  return hunch::StatusCodeName(static_cast<StatusCode>(code));
}

const char* hunch_dtype_name(int32_t dtype) {
  if (dtype < HUNCH_DTYPE_FLOAT32 || dtype > HUNCH_DTYPE_INT32) return "unknown";
  return hunch::DTypeName(static_cast<DType>(dtype));
}

uint32_t hunch_format_version(void) { return hunch::kFormatVersion; }

const char* hunch_active_kernel_isa(void) { return hunch::ActiveKernelIsa(); }

hunch_status_code hunch_set_kernel_isa(const char* isa, char** error) {
  return Return(hunch::SetKernelIsa(isa), error);
}

void hunch_free(void* ptr) { std::free(ptr); }

// ---- models ----------------------------------------------------------------------

hunch_status_code hunch_model_open(const char* path, const hunch_model_options* options, hunch_model** model,
                                   char** error) {
  if (!model) return InvalidArgument("hunch_model_open: model is NULL", error);
  *model = nullptr;
  if (!path) return InvalidArgument("hunch_model_open: path is NULL", error);
  std::unique_ptr<ModelHolder> holder(new (std::nothrow) ModelHolder);
  if (!holder) return Return(Status::ResourceExhausted("out of memory"), error);
  const Status s = Model::Open(path, ToOptions(options), &holder->model);
  return FinishOpen(s, std::move(holder), options, model, error);
}

hunch_status_code hunch_model_from_buffer(const void* data, size_t size, const hunch_model_options* options,
                                          hunch_model** model, char** error) {
  if (!model) return InvalidArgument("hunch_model_from_buffer: model is NULL", error);
  *model = nullptr;
  if (!data) return InvalidArgument("hunch_model_from_buffer: data is NULL", error);
  std::unique_ptr<ModelHolder> holder(new (std::nothrow) ModelHolder);
  if (!holder) return Return(Status::ResourceExhausted("out of memory"), error);
  const Status s = Model::FromBuffer(data, size, ToOptions(options), &holder->model);
  return FinishOpen(s, std::move(holder), options, model, error);
}

hunch_status_code hunch_model_from_buffer_copy(const void* data, size_t size, const hunch_model_options* options,
                                               hunch_model** model, char** error) {
  if (!model) return InvalidArgument("hunch_model_from_buffer_copy: model is NULL", error);
  *model = nullptr;
  if (!data) return InvalidArgument("hunch_model_from_buffer_copy: data is NULL", error);
  std::unique_ptr<ModelHolder> holder(new (std::nothrow) ModelHolder);
  if (!holder) return Return(Status::ResourceExhausted("out of memory"), error);
  const Status s = Model::FromBufferCopy(data, size, ToOptions(options), &holder->model);
  return FinishOpen(s, std::move(holder), options, model, error);
}

void hunch_model_free(hunch_model* model) { delete model; }

uint32_t hunch_model_format_version(const hunch_model* model) { return model ? model->model->format_version() : 0; }
const char* hunch_model_description(const hunch_model* model) { return model ? model->model->description() : ""; }
size_t hunch_model_file_bytes(const hunch_model* model) { return model ? model->model->file_bytes() : 0; }
size_t hunch_model_weight_bytes(const hunch_model* model) { return model ? model->model->weight_bytes() : 0; }
int hunch_model_num_subgraphs(const hunch_model* model) { return model ? model->model->num_subgraphs() : 0; }

const char* hunch_model_subgraph_name(const hunch_model* model, int subgraph) {
  return model ? model->model->subgraph_name(subgraph) : "";
}

int hunch_model_find_subgraph(const hunch_model* model, const char* name) {
  return model ? model->model->FindSubgraph(name) : -1;
}

size_t hunch_model_arena_bytes(const hunch_model* model, int subgraph) {
  return model ? model->model->arena_bytes(subgraph) : 0;
}

size_t hunch_model_state_bytes(const hunch_model* model, int subgraph) {
  return model ? model->model->state_bytes(subgraph) : 0;
}

int hunch_model_num_metadata(const hunch_model* model) { return model ? model->model->num_metadata() : 0; }

const char* hunch_model_metadata_name(const hunch_model* model, int i) {
  return model ? model->model->metadata_name(i) : "";
}

hunch_status_code hunch_model_get_metadata(const hunch_model* model, const char* name, const uint8_t** data,
                                           size_t* size, char** error) {
  if (!model || !name || !data || !size)
    return InvalidArgument("hunch_model_get_metadata: model, name, data and size must not be NULL", error);
  return Return(model->model->GetMetadata(name, data, size), error);
}

// ---- interpreters -------------------------------------------------------------------

hunch_status_code hunch_interpreter_create(const hunch_model* model, int subgraph, hunch_interpreter** interpreter,
                                          char** error) {
  if (!interpreter) return InvalidArgument("hunch_interpreter_create: interpreter is NULL", error);
  *interpreter = nullptr;
  if (!model) return InvalidArgument("hunch_interpreter_create: model is NULL", error);
  InterpreterOptions io;
  io.subgraph = subgraph;
  std::unique_ptr<Interpreter> in;
  const Status s = Interpreter::Create(model->model, io, &in);
  if (!s.ok()) return Return(s, error);
  hunch_interpreter* handle = new (std::nothrow) hunch_interpreter;
  if (!handle) return Return(Status::ResourceExhausted("out of memory"), error);
  handle->interpreter = std::move(in);
  *interpreter = handle;
  return HUNCH_OK;
}

void hunch_interpreter_free(hunch_interpreter* interpreter) { delete interpreter; }

int hunch_interpreter_num_inputs(const hunch_interpreter* interpreter) {
  return interpreter ? interpreter->interpreter->num_inputs() : 0;
}

int hunch_interpreter_num_outputs(const hunch_interpreter* interpreter) {
  return interpreter ? interpreter->interpreter->num_outputs() : 0;
}

int hunch_interpreter_find_input(const hunch_interpreter* interpreter, const char* name) {
  return interpreter ? interpreter->interpreter->FindInput(name) : -1;
}

int hunch_interpreter_find_output(const hunch_interpreter* interpreter, const char* name) {
  return interpreter ? interpreter->interpreter->FindOutput(name) : -1;
}

hunch_status_code hunch_interpreter_input_info(const hunch_interpreter* interpreter, int i, hunch_tensor_info* info,
                                               char** error) {
  if (!interpreter || !info) return InvalidArgument("hunch_interpreter_input_info: NULL argument", error);
  const Interpreter& in = *interpreter->interpreter;
  if (i < 0 || i >= in.num_inputs())
    return Return(Status::InvalidArgument(Format("input %d does not exist (%d inputs)", i, in.num_inputs())), error);
  FillInfo(in.input_info(i), info);
  return HUNCH_OK;
}

hunch_status_code hunch_interpreter_output_info(const hunch_interpreter* interpreter, int i, hunch_tensor_info* info,
                                                char** error) {
  if (!interpreter || !info) return InvalidArgument("hunch_interpreter_output_info: NULL argument", error);
  const Interpreter& in = *interpreter->interpreter;
  if (i < 0 || i >= in.num_outputs())
    return Return(Status::InvalidArgument(Format("output %d does not exist (%d outputs)", i, in.num_outputs())),
                  error);
  FillInfo(in.output_info(i), info);
  return HUNCH_OK;
}

void* hunch_interpreter_input_data(hunch_interpreter* interpreter, int i) {
  return interpreter ? interpreter->interpreter->input_data(i) : nullptr;
}

const void* hunch_interpreter_output_data(const hunch_interpreter* interpreter, int i) {
  return interpreter ? interpreter->interpreter->output_data(i) : nullptr;
}

hunch_status_code hunch_interpreter_invoke(hunch_interpreter* interpreter, char** error) {
  if (!interpreter) return InvalidArgument("hunch_interpreter_invoke: interpreter is NULL", error);
  return Return(interpreter->interpreter->Invoke(), error);
}

hunch_status_code hunch_interpreter_reset_state(hunch_interpreter* interpreter, char** error) {
  if (!interpreter) return InvalidArgument("hunch_interpreter_reset_state: interpreter is NULL", error);
  interpreter->interpreter->ResetState();
  return HUNCH_OK;
}

size_t hunch_interpreter_state_bytes(const hunch_interpreter* interpreter) {
  return interpreter ? interpreter->interpreter->state_bytes() : 0;
}

size_t hunch_interpreter_arena_bytes(const hunch_interpreter* interpreter) {
  return interpreter ? interpreter->interpreter->arena_bytes() : 0;
}

hunch_status_code hunch_interpreter_save_state(const hunch_interpreter* interpreter, void* dst, size_t size,
                                               char** error) {
  if (!interpreter) return InvalidArgument("hunch_interpreter_save_state: interpreter is NULL", error);
  if (!dst && interpreter->interpreter->state_bytes() != 0)
    return InvalidArgument("hunch_interpreter_save_state: dst is NULL", error);
  return Return(interpreter->interpreter->SaveState(dst, size), error);
}

hunch_status_code hunch_interpreter_restore_state(hunch_interpreter* interpreter, const void* src, size_t size,
                                                  char** error) {
  if (!interpreter) return InvalidArgument("hunch_interpreter_restore_state: interpreter is NULL", error);
  if (!src && interpreter->interpreter->state_bytes() != 0)
    return InvalidArgument("hunch_interpreter_restore_state: src is NULL", error);
  return Return(interpreter->interpreter->RestoreState(src, size), error);
}

// ---- op resolvers -------------------------------------------------------------------

hunch_status_code hunch_op_resolver_create(hunch_op_resolver** resolver, char** error) {
  return CreateResolver(OpResolver(), resolver, error);
}

hunch_status_code hunch_op_resolver_create_empty(hunch_op_resolver** resolver, char** error) {
  return CreateResolver(OpResolver::Empty(), resolver, error);
}

void hunch_op_resolver_free(hunch_op_resolver* resolver) { delete resolver; }

hunch_status_code hunch_op_resolver_add_custom(hunch_op_resolver* resolver, const char* name, hunch_op_fn prepare,
                                               hunch_op_fn eval, void* user_data, char** error) {
  if (!resolver) return InvalidArgument("hunch_op_resolver_add_custom: resolver is NULL", error);
  if (!name || !name[0]) return InvalidArgument("hunch_op_resolver_add_custom: the op needs a name", error);
  if (!eval)
    return Return(Status::InvalidArgument(Format("hunch_op_resolver_add_custom: op '%s' has no eval function", name)),
                  error);
  std::shared_ptr<CustomOp> op(new (std::nothrow) CustomOp);
  if (!op) return Return(Status::ResourceExhausted("out of memory"), error);
  op->name = name;
  op->prepare = prepare;
  op->eval = eval;
  op->user_data = user_data;
  OpRegistration reg;
  reg.name = op->name.c_str();  // lives with the record, which models keep
  reg.prepare = prepare ? CustomPrepare : nullptr;
  reg.eval = CustomEval;
  reg.user_data = op.get();
  const Status s = resolver->resolver.AddCustom(reg);
  if (!s.ok()) return Return(s, error);
  resolver->custom_ops.push_back(std::move(op));
  return HUNCH_OK;
}

// ---- op contexts ----------------------------------------------------------------------

const char* hunch_op_context_op_name(const hunch_op_context* context) {
  return context ? context->ctx->op_name() : "";
}

int hunch_op_context_node_index(const hunch_op_context* context) {
  return context ? context->ctx->node_index() : -1;
}

int hunch_op_context_num_inputs(const hunch_op_context* context) {
  return context ? context->ctx->num_inputs() : 0;
}

int hunch_op_context_num_outputs(const hunch_op_context* context) {
  return context ? context->ctx->num_outputs() : 0;
}

hunch_status_code hunch_op_context_input_info(const hunch_op_context* context, int i, hunch_tensor_info* info,
                                              char** error) {
  if (!context || !info) return InvalidArgument("hunch_op_context_input_info: NULL argument", error);
  const int n = context->ctx->num_inputs();
  if (i < 0 || i >= n)
    return Return(Status::InvalidArgument(Format("input %d does not exist (%d inputs)", i, n)), error);
  const TensorInfo* t = context->ctx->input(i);
  if (!t) return Return(Status::NotFound(Format("optional input %d is omitted", i)), error);
  FillInfo(*t, info);
  return HUNCH_OK;
}

hunch_status_code hunch_op_context_output_info(const hunch_op_context* context, int i, hunch_tensor_info* info,
                                               char** error) {
  if (!context || !info) return InvalidArgument("hunch_op_context_output_info: NULL argument", error);
  const TensorInfo* t = context->ctx->output(i);
  if (!t)
    return Return(
        Status::InvalidArgument(Format("output %d does not exist (%d outputs)", i, context->ctx->num_outputs())),
        error);
  FillInfo(*t, info);
  return HUNCH_OK;
}

const void* hunch_op_context_input_data(const hunch_op_context* context, int i) {
  return context && context->in_eval ? context->ctx->input_data(i) : nullptr;
}

void* hunch_op_context_output_data(const hunch_op_context* context, int i) {
  return context && context->in_eval ? context->ctx->output_data(i) : nullptr;
}

void* hunch_op_context_scratch(const hunch_op_context* context) {
  return context && context->in_eval ? context->ctx->scratch() : nullptr;
}

hunch_status_code hunch_op_context_request_scratch(hunch_op_context* context, size_t bytes, char** error) {
  if (!context) return InvalidArgument("hunch_op_context_request_scratch: context is NULL", error);
  if (context->in_eval)
    return InvalidArgument("hunch_op_context_request_scratch: scratch can only be requested in prepare", error);
  context->ctx->RequestScratch(bytes);
  return HUNCH_OK;
}

const uint8_t* hunch_op_context_custom_options(const hunch_op_context* context, size_t* size) {
  if (!context) {
    if (size) *size = 0;
    return nullptr;
  }
  const uint8_t* p = context->ctx->custom_options();
  if (size) *size = p ? context->ctx->custom_options_size() : 0;
  return p;
}

void hunch_op_context_set_error(hunch_op_context* context, const char* message) {
  if (!context) return;
  context->error = message ? message : "";
}

}  // extern "C"

