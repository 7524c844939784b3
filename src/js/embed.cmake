# Embeds a JavaScript source as a C string: cmake -DIN=file.js -DOUT=file.c -DNAME=sym -P embed.cmake
file(READ ${IN} content HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${content}")
file(WRITE ${OUT} "/* Generated from ${IN}; do not edit. */\nconst char ${NAME}[] = {${bytes} 0x00};\n")
