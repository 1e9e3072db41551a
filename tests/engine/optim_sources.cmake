# The test_optim suite (paths relative to tests/).
set(HETSIM_TEST_OPTIM_SOURCES
    engine/optim_test.cpp
    engine/optim_inner_test.cpp
    engine/optim_outer_test.cpp
)
