# Tests of the data layer (models/data/); the real corpora come from default_data_dir(), which
# tools/setup fills with tools/fetch-data.
set(HETSIM_TEST_DATA_SOURCES
    models/data_brown_test.cpp
    models/data_tokenizer_test.cpp
    models/data_lm_test.cpp
    models/data_partition_test.cpp
    models/data_labelled_test.cpp
)
