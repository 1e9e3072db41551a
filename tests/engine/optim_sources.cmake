set(HETSIM_TEST_OPTIM_SOURCES engine/optim_test.cpp)
