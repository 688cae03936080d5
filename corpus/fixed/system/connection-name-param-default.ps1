# expect: MI101 MI102
# why: Connection name comes from a param() default of AzureRunAsConnection; autosave disabled with $null = first.
param(
    [string] $ConnName = 'AzureRunAsConnection',
    [string] $ResourceGroupName = 'rg-web-prod',
    [string] $AppGatewayName = 'agw-web-prod'
)

$null = Disable-AzContextAutosave -Scope Process

Connect-AzAccount -Identity -ErrorAction Stop | Out-Null

$gateway = Get-AzApplicationGateway -ResourceGroupName $ResourceGroupName -Name $AppGatewayName
if ($gateway.OperationalState -eq 'Stopped') {
    Write-Output "$AppGatewayName is already stopped"
} else {
    Stop-AzApplicationGateway -ApplicationGateway $gateway | Out-Null
    Write-Output "$AppGatewayName stopped"
}
