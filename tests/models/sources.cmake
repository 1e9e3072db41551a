# Torch tests of the models (the data layer's tests are listed in data_sources.cmake).
set(HETSIM_TEST_MODEL_SOURCES
    models/model_test.cpp
    models/gpt_test.cpp
    models/small_models_test.cpp
    models/replica_losses_test.cpp
)
