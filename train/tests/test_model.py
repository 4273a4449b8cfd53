import unittest

import numpy as np
import torch

import _common  # noqa: F401  (import path)
from model import GRULayer, LanguageModel, LSTMLayer, ModelConfig, count_parameters


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


class CellTest(unittest.TestCase):
    def setUp(self):
        torch.manual_seed(0)

    def test_cifg_matches_recomputation(self):
        E, U, P, B = 5, 7, 4, 3
        layer = LSTMLayer(E, U, P, cifg=True)
        with torch.no_grad():
            layer.bias.uniform_(-0.5, 0.5)
        x, h, c = torch.randn(B, E), torch.randn(B, P), torch.randn(B, U)
        out, (h1, c1) = layer.cell(layer.input_preact(x), (h, c))

        Wx, Wh = layer.W_x.detach().numpy(), layer.W_h.detach().numpy()
        b, Wp = layer.bias.detach().numpy(), layer.W_proj.detach().numpy()
        xn, hn, cn = x.numpy(), h.numpy(), c.numpy()
        gate = {}
        for k, name in enumerate(("f", "g", "o")):        # CIFG order, no input gate
            rows = slice(k * U, (k + 1) * U)
            gate[name] = xn @ Wx[rows].T + hn @ Wh[rows].T + b[rows]
        f = sigmoid(gate["f"])
        i = 1.0 - f
        g = np.tanh(gate["g"])
        o = sigmoid(gate["o"])
        c_ref = f * cn + i * g
        h_ref = (o * np.tanh(c_ref)) @ Wp.T
        np.testing.assert_allclose(c1.detach().numpy(), c_ref, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(h1.detach().numpy(), h_ref, rtol=1e-5, atol=1e-6)
        self.assertTrue(torch.equal(out, h1))
        self.assertEqual(tuple(layer.W_x.shape), (3 * U, E))
        self.assertEqual(tuple(layer.W_h.shape), (3 * U, P))
        self.assertEqual(tuple(layer.W_proj.shape), (P, U))

    def test_lstm_matches_torch_lstmcell(self):
        E, U, B = 6, 5, 2
        layer = LSTMLayer(E, U, 0, cifg=False)
        ref = torch.nn.LSTMCell(E, U)
        with torch.no_grad():
            ref.weight_ih.copy_(layer.W_x)
            ref.weight_hh.copy_(layer.W_h)
            ref.bias_ih.copy_(layer.bias)
            ref.bias_hh.zero_()
        x, h, c = torch.randn(B, E), torch.randn(B, U), torch.randn(B, U)
        _, (h1, c1) = layer.cell(layer.input_preact(x), (h, c))
        h2, c2 = ref(x, (h, c))
        torch.testing.assert_close(h1, h2)
        torch.testing.assert_close(c1, c2)

    def test_gru_matches_torch_grucell(self):
        E, U, B = 6, 5, 2
        layer = GRULayer(E, U, 0)
        ref = torch.nn.GRUCell(E, U)
        with torch.no_grad():
            ref.weight_ih.copy_(layer.W_x)
            ref.weight_hh.copy_(layer.W_h)
            ref.bias_ih.copy_(layer.b_x)
            ref.bias_hh.copy_(layer.b_h)
        x, h = torch.randn(B, E), torch.randn(B, U)
        _, (h1,) = layer.cell(layer.input_preact(x), (h,))
        torch.testing.assert_close(h1, ref(x, h))

    def test_forget_bias_initialized_to_one(self):
        layer = LSTMLayer(4, 3, 0, cifg=True)
        self.assertTrue(torch.all(layer.bias[:3] == 1.0))
        self.assertTrue(torch.all(layer.bias[3:] == 0.0))


class ModelTest(unittest.TestCase):
    def test_default_is_gboard_size(self):
        m = LanguageModel(ModelConfig())
        # 10000*96 embedding + 3*670*(96+96) + 3*670 bias + 96*670 proj + 10000 bias
        self.assertEqual(count_parameters(m), 1_422_250)
        self.assertEqual(m.state_names(), ["h", "c"])
        self.assertEqual(m.state_sizes(), [96, 670])

    def test_config_errors(self):
        with self.assertRaises(ValueError):
            ModelConfig(embed=96, proj=64).validate()        # tied needs proj == embed
        ModelConfig(embed=96, proj=64, tied=False).validate()
        with self.assertRaises(ValueError):
            ModelConfig(cell="rnn").validate()
        with self.assertRaises(ValueError):
            ModelConfig.from_dict({"cell": "cifg", "bogus": 1})

    def test_multilayer_state_names(self):
        m = LanguageModel(ModelConfig(vocab_size=20, embed=8, units=12, proj=8, layers=3))
        self.assertEqual(m.state_names(), ["h", "c", "h1", "c1", "h2", "c2"])
        g = LanguageModel(ModelConfig(cell="gru", vocab_size=20, embed=8, units=8, proj=0,
                                      layers=2))
        self.assertEqual(g.state_names(), ["h", "h1"])

    def check_step_matches_forward(self, config, tokens):
        torch.manual_seed(1)
        m = LanguageModel(config).eval()
        T = len(tokens)
        with torch.no_grad():
            logits, fstate = m(torch.tensor([tokens]), None)
            ref = torch.log_softmax(logits, dim=-1)[0]
            state = m.init_state(1)
            for t, tok in enumerate(tokens):
                if tok == config.bos_id:            # what forward does at <s>
                    state = m.init_state(1)
                lp, state = m.step(torch.tensor([tok]), state)
                torch.testing.assert_close(lp[0], ref[t], rtol=1e-5, atol=1e-5,
                                           msg=f"step {t} of {T}")
        for a, b in zip(state, fstate):
            torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-5)

    def test_step_matches_forward_20_steps(self):
        g = torch.Generator().manual_seed(3)
        tokens = [1] + torch.randint(3, 50, (19,), generator=g).tolist()
        for cfg in (ModelConfig(vocab_size=50, embed=16, units=24, proj=16),
                    ModelConfig(cell="lstm", vocab_size=50, embed=16, units=24, proj=16,
                                layers=2),
                    ModelConfig(cell="lstm", vocab_size=50, embed=16, units=16, proj=0),
                    ModelConfig(cell="gru", vocab_size=50, embed=16, units=20, proj=16)):
            with self.subTest(cell=cfg.cell, layers=cfg.layers):
                self.check_step_matches_forward(cfg, tokens)

    def test_forward_resets_state_at_bos(self):
        cfg = ModelConfig(vocab_size=30, embed=8, units=10, proj=8)
        tokens = [1, 5, 6, 7, 2, 1, 8, 9, 10]        # a second line starts at index 5
        self.check_step_matches_forward(cfg, tokens)
        torch.manual_seed(0)
        m = LanguageModel(cfg).eval()
        with torch.no_grad():
            whole, _ = m(torch.tensor([tokens]))
            alone, _ = m(torch.tensor([tokens[5:]]))
        torch.testing.assert_close(whole[0, 5:], alone[0])

    def test_forward_shapes_and_state_carry(self):
        m = LanguageModel(ModelConfig(vocab_size=40, embed=8, units=12, proj=8)).eval()
        x = torch.randint(3, 40, (4, 10))
        with torch.no_grad():
            full, _ = m(x)
            a, st = m(x[:, :6])
            b, _ = m(x[:, 6:], st)
        self.assertEqual(tuple(full.shape), (4, 10, 40))
        torch.testing.assert_close(torch.cat([a, b], dim=1), full)


if __name__ == "__main__":
    unittest.main()
