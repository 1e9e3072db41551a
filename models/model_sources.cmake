set(HETSIM_MODEL_SOURCES model.cpp)
