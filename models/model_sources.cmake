# The models (owned by the models engineer; data sources are listed in data_sources.cmake).
set(HETSIM_MODEL_SOURCES
    model.cpp
    model_factory.cpp
    parameter_set.cpp
    gpt.cpp
    mlp.cpp
    cnn.cpp
    linear.cpp
)
