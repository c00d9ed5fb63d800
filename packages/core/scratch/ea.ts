console.log(JSON.stringify(process.execArgv))
