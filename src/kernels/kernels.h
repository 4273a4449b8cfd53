// Registrations of the builtin ops, one function per op file.
#ifndef HUNCH_KERNELS_KERNELS_H_
#define HUNCH_KERNELS_KERNELS_H_

#include "hunch/op.h"

namespace hunch {
namespace internal {

OpRegistration Register_GATHER();
OpRegistration Register_FULLY_CONNECTED();
OpRegistration Register_MATMUL();
OpRegistration Register_ADD();
OpRegistration Register_SUB();
OpRegistration Register_MUL();
OpRegistration Register_LOGISTIC();
OpRegistration Register_TANH();
OpRegistration Register_RELU();
OpRegistration Register_SOFTMAX();
OpRegistration Register_LOG_SOFTMAX();
OpRegistration Register_CONCAT();
OpRegistration Register_SPLIT();
OpRegistration Register_SLICE();
OpRegistration Register_RESHAPE();
OpRegistration Register_SQUEEZE();
OpRegistration Register_UNSQUEEZE();
OpRegistration Register_TRANSPOSE();
OpRegistration Register_TOPK();
OpRegistration Register_LSTM();
OpRegistration Register_GRU();

}  // namespace internal
}  // namespace hunch

#endif  // HUNCH_KERNELS_KERNELS_H_
