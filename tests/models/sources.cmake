set(HETSIM_TEST_MODEL_SOURCES models/model_test.cpp)
